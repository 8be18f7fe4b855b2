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

    /** Prometheus renders it {@code whatsapp_webhook_errors_total}: Meta's value-level errors, by code. */
    public static final String ERRORS = "whatsapp.webhook.errors";
    /** Meta's codes are short numbers; anything else is counted together, so tags stay few. */
    private static final int CODE_DIGITS_MAX = 10;

    private final MeterRegistry registry;
    private final String source;
    private final Map<SignatureCheck.Failure, Counter> failures = new EnumMap<>(SignatureCheck.Failure.class);
    private final Counter unknownPhoneNumberId;
    private final Counter unknownBusinessAccountId;
    private final Counter withoutPhoneNumber;
    private final Counter malformedEvent;

    public WebhookMetrics(MeterRegistry registry, String source) {
        this.registry = registry;
        this.source = source;
        if (registry == null) {
            unknownPhoneNumberId = null;
            unknownBusinessAccountId = null;
            withoutPhoneNumber = null;
            malformedEvent = null;
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
        unknownBusinessAccountId = skipped(registry, source, "unknown_business_account_id");
        withoutPhoneNumber = skipped(registry, source, "no_phone_number");
        malformedEvent = skipped(registry, source, "malformed_lifecycle_event");
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

    public void skipped(int unknownPhoneNumberIds, int unknownBusinessAccountIds, int withoutPhone) {
        if (unknownPhoneNumberId != null) {
            unknownPhoneNumberId.increment(unknownPhoneNumberIds);
            unknownBusinessAccountId.increment(unknownBusinessAccountIds);
            withoutPhoneNumber.increment(withoutPhone);
        }
    }

    public void malformedEvents(int n) {
        if (malformedEvent != null) {
            malformedEvent.increment(n);
        }
    }

    /** One of Meta's value-level errors. */
    public void valueError(String code) {
        if (registry == null) {
            return;
        }
        String tag = code != null && !code.isEmpty() && code.length() <= CODE_DIGITS_MAX
                && code.chars().allMatch(c -> c >= '0' && c <= '9') ? code : "other";
        Counter.builder(ERRORS)
                .description("Errors Meta reported for a whole webhook change (value.errors), by code")
                .tag("source", source)
                .tag("code", tag)
                .register(registry)
                .increment();
    }
}
