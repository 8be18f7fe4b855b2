package io.whatsappoutbox.meta.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The webhook's counters, all tagged {@code source=meta}. Without a registry every method does
 * nothing. Internal.
 */
public final class WebhookMetrics {
    /** Prometheus renders it {@code whatsapp_webhook_signature_failures_total}. */
    public static final String SIGNATURE_FAILURES = "whatsapp.webhook.signature.failures";
    /** Changes or messages a verified webhook carried that could not be routed. */
    public static final String SKIPPED = "whatsapp.webhook.skipped";

    private final Map<SignatureCheck.Failure, Counter> failures = new EnumMap<>(SignatureCheck.Failure.class);
    private final Counter unknownPhoneNumberId;
    private final Counter withoutPhoneNumber;

    public WebhookMetrics(MeterRegistry registry, String source) {
        if (registry == null) {
            unknownPhoneNumberId = null;
            withoutPhoneNumber = null;
            return;
        }
        for (SignatureCheck.Failure f : SignatureCheck.Failure.values()) {
            failures.put(f, Counter.builder(SIGNATURE_FAILURES)
                    .description("Webhook calls refused for a missing, malformed or wrong signature")
                    .tag("source", source)
                    .tag("reason", f.tag())
                    .register(registry));
        }
        unknownPhoneNumberId = skipped(registry, source, "unknown_phone_number_id");
        withoutPhoneNumber = skipped(registry, source, "no_phone_number");
    }

    private static Counter skipped(MeterRegistry registry, String source, String reason) {
        return Counter.builder(SKIPPED)
                .description("Webhook changes or messages skipped because they could not be routed")
                .tag("source", source)
                .tag("reason", reason)
                .register(registry);
    }

    public void signatureFailure(SignatureCheck.Failure failure) {
        Counter c = failures.get(failure);
        if (c != null) {
            c.increment();
        }
    }

    public void skipped(int unknownPhoneNumberIds, int withoutPhone) {
        if (unknownPhoneNumberId != null) {
            unknownPhoneNumberId.increment(unknownPhoneNumberIds);
            withoutPhoneNumber.increment(withoutPhone);
        }
    }
}
