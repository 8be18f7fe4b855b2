package io.whatsappoutbox.sms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookSink;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.TwilioWebhookCheck;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the SMS customers send to an org's Twilio number (the number's "A message comes in"
 * webhook), framework-neutral, with the same {@code X-Twilio-Signature} check as
 * {@link TwilioStatusCallbackHandler}. Each message ({@code From}, {@code To}, {@code Body},
 * {@code MessageSid}, {@code NumMedia}) goes to the sink as an {@link InboundMessage} on
 * {@link Channel#SMS} of the org that owns the {@code To} number: it is stored, Twilio's STOP words
 * revoke the org's SMS consent, its START words grant it back, HELP is stored only. An SMS opens no
 * WhatsApp session window.
 *
 * <p>Answers: 405, 413, 400, 401 as the status callback does; 400 without {@code MessageSid} or
 * {@code From}; 200 with an empty TwiML {@code <Response/>} otherwise, so that Twilio sends no
 * reply on the outbox's behalf (Twilio's own STOP / HELP answers are the account's setting). A
 * {@code To} number no org owns, or a sender that is not a phone number, is answered 200 and
 * skipped; 500 if the sink fails (nothing was applied, Twilio retries).
 *
 * <p>The body is never logged. Thread-safe.
 */
public final class TwilioInboundMessageHandler {
    private static final Logger log = LoggerFactory.getLogger(TwilioInboundMessageHandler.class);

    /** Empty TwiML: no reply. */
    public static final String EMPTY_TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
    public static final int DEFAULT_MAX_BODY_BYTES = TwilioStatusCallbackHandler.DEFAULT_MAX_BODY_BYTES;

    private final WebhookSink sink;
    private final Function<PhoneNumber, Optional<String>> orgOf;
    private final TwilioWebhookCheck check;

    private TwilioInboundMessageHandler(Builder b, WebhookSecrets secrets) {
        this.sink = b.sink;
        this.orgOf = b.orgOf;
        Counter signatureFailures = b.meterRegistry == null ? null
                : Counter.builder(TwilioStatusCallbackHandler.SIGNATURE_FAILURES_METRIC)
                        .description("Twilio webhooks refused for a missing or invalid signature")
                        .register(b.meterRegistry);
        this.check = new TwilioWebhookCheck("inbound message", secrets, b.publicUrl, b.maxBodyBytes,
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
        Optional<String> sid = TwilioWebhookCheck.first(params, "MessageSid")
                .or(() -> TwilioWebhookCheck.first(params, "SmsMessageSid"));
        Optional<String> from = TwilioWebhookCheck.first(params, "From");
        if (sid.isEmpty() || from.isEmpty()) {
            log.warn("Twilio inbound message refused: no MessageSid or no From");
            return WebhookResponse.text(400, "MessageSid and From are required");
        }
        String body = params.stream().filter(p -> p.name().equals("Body")).map(FormParam::value).findFirst()
                .orElse(null);
        if (TwilioWebhookCheck.hasControlCharacter(sid.get())
                || body != null && body.indexOf('\u0000') >= 0) {
            // PostgreSQL text cannot hold U+0000, and a line break in a logged sid would forge log lines
            log.warn("Twilio inbound message refused: MessageSid or Body holds characters the store cannot keep");
            return WebhookResponse.text(400, "MessageSid must be printable and Body hold no NUL");
        }
        PhoneNumber sender;
        PhoneNumber to;
        try {
            sender = PhoneNumber.fromProvider(from.get());
            to = PhoneNumber.fromProvider(TwilioWebhookCheck.first(params, "To").orElse(""));
        } catch (RuntimeException e) {
            log.info("Twilio inbound message {} skipped: From or To is not a phone number", sid.get());
            return twiml();
        }
        Optional<String> org = orgOf.apply(to);
        if (org.isEmpty()) {
            log.info("Twilio inbound message {} to {} skipped: no org owns that number", sid.get(), to);
            return twiml();
        }
        int media = TwilioWebhookCheck.first(params, "NumMedia").map(TwilioInboundMessageHandler::count).orElse(0);
        // Twilio sends Body even when empty; an MMS without text has none to match
        String text = body == null || body.isBlank() ? null : body;
        InboundMessage m = new InboundMessage(org.get(), Channel.SMS, sender, sid.get(), media > 0 ? "mms" : "text",
                text, null, null, now);
        try {
            sink.accept(new WebhookBatch("twilio", List.of(), List.of(m)));
        } catch (RuntimeException e) {
            log.error("Twilio inbound message {} could not be applied, answered 500: {}", sid.get(),
                    SafeText.describe(e));
            return WebhookResponse.text(500, "Could not apply the inbound message");
        }
        log.debug("Twilio inbound message {} from {} for org {}", sid.get(), sender, org.get());
        return twiml();
    }

    private static int count(String n) {
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static WebhookResponse twiml() {
        return new WebhookResponse(200, "text/xml", EMPTY_TWIML);
    }

    /** Settings of a {@link TwilioInboundMessageHandler}; {@link #build()} checks them all at once. */
    public static final class Builder {
        private Secret authToken;
        private WebhookSecrets secrets;
        private String publicUrl;
        private WebhookSink sink;
        private Function<PhoneNumber, Optional<String>> orgOf;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private MeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The one auth token the webhooks are signed with; exclusive with {@link #secrets}. */
        public Builder authToken(Secret authToken) {
            this.authToken = authToken;
            return this;
        }

        /** The tokens valid now, for rotation; exclusive with {@link #authToken}. */
        public Builder secrets(WebhookSecrets secrets) {
            this.secrets = secrets;
            return this;
        }

        /** The exact URL configured at Twilio for incoming messages, query included: the URL Twilio signs. */
        public Builder publicUrl(String publicUrl) {
            this.publicUrl = publicUrl;
            return this;
        }

        public Builder sink(WebhookSink sink) {
            this.sink = sink;
            return this;
        }

        /** The org that owns an SMS number ({@code To}), or empty when none does. */
        public Builder orgOf(Function<PhoneNumber, Optional<String>> orgOf) {
            this.orgOf = orgOf;
            return this;
        }

        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @throws InvalidInputException naming every setting that is missing or wrong */
        public TwilioInboundMessageHandler build() {
            Violations v = new Violations();
            if ((authToken == null) == (secrets == null)) {
                v.add("authToken", authToken == null ? "and secrets are both missing" : "and secrets are both set",
                        "exactly one of authToken or secrets");
            }
            if (publicUrl != null && !publicUrl.matches("(?i)https?://[^\\s/]+.*")) {
                v.add("publicUrl", "'" + Violations.printable(publicUrl) + "' is not an absolute http(s) URL",
                        "the exact https:// URL configured at Twilio for incoming messages");
            }
            v.requireNonNull("sink", sink);
            v.requireNonNull("orgOf", orgOf);
            v.range("maxBodyBytes", maxBodyBytes, 1, 16L * 1024 * 1024);
            v.requireNonNull("clock", clock);
            v.throwIfAny("Twilio inbound message handler settings");
            return new TwilioInboundMessageHandler(this, secrets != null ? secrets : WebhookSecrets.shared(authToken));
        }
    }
}
