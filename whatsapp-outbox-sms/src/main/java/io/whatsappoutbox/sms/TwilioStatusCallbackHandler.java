package io.whatsappoutbox.sms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookSink;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.TwilioWebhookCheck;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Twilio's message status callbacks, framework-neutral: the host hands over each request
 * to the {@code StatusCallback} URL as a {@link WebhookRequest} and writes back the
 * {@link WebhookResponse}.
 *
 * <p>In order: 405 for anything but POST; 413 for a body over {@code maxBodyBytes}; 400 for a body
 * that is not a form; 401 for a missing or wrong {@code X-Twilio-Signature} (nothing passed on);
 * 400 without {@code MessageSid}, or with a control character in {@code MessageSid} or {@code ErrorCode}
 * (PostgreSQL cannot store a NUL). A status that is not a delivery outcome ({@code queued},
 * {@code sending}, {@code accepted}, {@code scheduled}, {@code canceled}...) is answered 200 and
 * dropped. An outcome goes to the sink as one receipt; 500 if the sink fails (nothing was applied).
 *
 * <p>{@code failed} and {@code undelivered} carry Twilio's {@code ErrorCode}; when Twilio gives
 * none the receipt's error is {@value #MISSING_ERROR_CODE}, Twilio's own "unknown error" code,
 * which the Twilio catalogue retries as temporary.
 *
 * <p>The body is never logged: it holds the customer's number. Thread-safe.
 */
public final class TwilioStatusCallbackHandler {
    private static final Logger log = LoggerFactory.getLogger(TwilioStatusCallbackHandler.class);

    public static final String SIGNATURE_HEADER = TwilioWebhookCheck.SIGNATURE_HEADER;
    /** Counter of requests refused with 401. */
    public static final String SIGNATURE_FAILURES_METRIC = "sms.webhook.signature.failures";
    /** The code recorded for a failed message whose callback has no {@code ErrorCode}. */
    public static final String MISSING_ERROR_CODE = "30008";
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private final WebhookSink sink;
    private final TwilioWebhookCheck check;

    private TwilioStatusCallbackHandler(Builder b, WebhookSecrets secrets) {
        this.sink = b.sink;
        Counter signatureFailures = b.meterRegistry == null ? null
                : Counter.builder(SIGNATURE_FAILURES_METRIC)
                        .description("Twilio webhooks refused for a missing or invalid signature")
                        .register(b.meterRegistry);
        this.check = new TwilioWebhookCheck("status callback", secrets, b.publicUrl, b.maxBodyBytes,
                signatureFailures, b.clock, log);
    }

    public static Builder builder() {
        return new Builder();
    }

    public WebhookResponse handle(WebhookRequest request) {
        TwilioWebhookCheck.Checked checked = check.check(request);
        return checked.refusal() != null ? checked.refusal() : apply(checked.params(), checked.now());
    }

    private WebhookResponse apply(List<FormParam> params, Instant now) {
        Optional<String> sid = first(params, "MessageSid");
        if (sid.isEmpty()) {
            log.warn("Twilio status callback refused: no MessageSid");
            return WebhookResponse.text(400, "MessageSid is required");
        }
        Optional<String> errorCode = first(params, "ErrorCode");
        if (hasControlCharacter(sid.get()) || errorCode.filter(TwilioStatusCallbackHandler::hasControlCharacter).isPresent()) {
            // PostgreSQL text cannot hold U+0000 (the store would fail at every retry), and a
            // line break in a logged sid would forge log lines
            log.warn("Twilio status callback refused: MessageSid or ErrorCode holds control characters");
            return WebhookResponse.text(400, "MessageSid and ErrorCode must be printable text");
        }
        // SmsStatus is the older name of the same field, still sent beside MessageStatus.
        String word = first(params, "MessageStatus").or(() -> first(params, "SmsStatus")).orElse(null);
        Optional<DeliveryStatus> status = DeliveryStatus.fromProviderWord(word);
        if (status.isEmpty()) {
            log.debug("Twilio status callback for {}: status '{}' is not a delivery outcome, ignored", sid.get(),
                    word == null ? "none" : Violations.printable(word));
            return WebhookResponse.json(200, "{\"status\":\"ignored\"}");
        }
        ProviderError error = null;
        if (status.get() == DeliveryStatus.FAILED) {
            String code = errorCode.orElse(MISSING_ERROR_CODE);
            String text = "Twilio delivery error " + code
                    + (errorCode.isEmpty() ? " (no ErrorCode in the callback)" : "");
            error = new ProviderError(code, 0, text, null, null, null);
        }
        DeliveryReceipt receipt = new DeliveryReceipt(Channel.SMS, sid.get(), status.get(), now, error);
        try {
            sink.accept(new WebhookBatch("twilio", List.of(receipt), List.of()));
        } catch (RuntimeException e) {
            log.error("Twilio status callback for {} ({}) could not be applied, answered 500: {}", sid.get(),
                    status.get(), SafeText.describe(e));
            return WebhookResponse.text(500, "Could not apply the status callback");
        }
        log.debug("Twilio status callback for {}: {}{}", sid.get(), status.get(),
                error == null ? "" : " with error " + error.code());
        return WebhookResponse.json(200, "{\"status\":\"accepted\"}");
    }

    private static boolean hasControlCharacter(String value) {
        return TwilioWebhookCheck.hasControlCharacter(value);
    }

    private static Optional<String> first(List<FormParam> params, String name) {
        return TwilioWebhookCheck.first(params, name);
    }

    /** Settings of a {@link TwilioStatusCallbackHandler}; {@link #build()} checks them all at once. */
    public static final class Builder {
        private Secret authToken;
        private WebhookSecrets secrets;
        private String publicUrl;
        private WebhookSink sink;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private MeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The one auth token the callbacks are signed with; exclusive with {@link #secrets}. */
        public Builder authToken(Secret authToken) {
            this.authToken = authToken;
            return this;
        }

        /** The tokens valid now, for rotation; exclusive with {@link #authToken}. */
        public Builder secrets(WebhookSecrets secrets) {
            this.secrets = secrets;
            return this;
        }

        /**
         * The exact URL given to Twilio as {@code StatusCallback}, query included: the URL Twilio
         * signs. Set it when a proxy stands in front of the host; otherwise {@code request.url()}
         * is used.
         */
        public Builder publicUrl(String publicUrl) {
            this.publicUrl = publicUrl;
            return this;
        }

        public Builder sink(WebhookSink sink) {
            this.sink = sink;
            return this;
        }

        /** Largest body accepted, 64 KiB by default; a status callback is well under 1 KiB. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** Where {@code sms.webhook.signature.failures} is counted; optional. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** Time of receipts and of token validity. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @throws InvalidInputException naming every setting that is missing or wrong */
        public TwilioStatusCallbackHandler build() {
            Violations v = new Violations();
            if ((authToken == null) == (secrets == null)) {
                v.add("authToken", authToken == null ? "and secrets are both missing" : "and secrets are both set",
                        "exactly one of authToken or secrets");
            }
            if (publicUrl != null && !isHttpUrl(publicUrl)) {
                v.add("publicUrl", "'" + Violations.printable(publicUrl) + "' is not an absolute http(s) URL",
                        "the exact https:// URL given to Twilio as StatusCallback");
            }
            v.requireNonNull("sink", sink);
            v.range("maxBodyBytes", maxBodyBytes, 1, 16L * 1024 * 1024);
            v.requireNonNull("clock", clock);
            v.throwIfAny("Twilio status callback handler settings");
            return new TwilioStatusCallbackHandler(this, secrets != null ? secrets : WebhookSecrets.shared(authToken));
        }

        private static boolean isHttpUrl(String url) {
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                return uri.isAbsolute() && uri.getHost() != null && (scheme.equals("https") || scheme.equals("http"));
            } catch (URISyntaxException e) {
                return false;
            }
        }
    }
}
