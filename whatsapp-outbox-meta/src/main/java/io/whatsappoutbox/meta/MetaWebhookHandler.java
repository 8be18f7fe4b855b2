package io.whatsappoutbox.meta;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookSink;
import io.whatsappoutbox.meta.internal.MetaJson;
import io.whatsappoutbox.meta.internal.MetaWebhookParser;
import io.whatsappoutbox.meta.internal.PhoneNumberIds;
import io.whatsappoutbox.meta.internal.SignatureCheck;
import io.whatsappoutbox.meta.internal.WebhookMetrics;
import io.whatsappoutbox.meta.internal.WebhookPayloadException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meta's WhatsApp webhook, independent of any HTTP framework: the host hands over the request
 * (raw body bytes included) and writes back the response.
 *
 * <ul>
 *   <li>{@code GET}: Meta's subscription check; answers the challenge when the verify token matches.
 *   <li>{@code POST}: checks {@code X-Hub-Signature-256} on the raw bytes against the secrets valid
 *       now of the orgs the body names by phone number id (every secret when it names none the
 *       store knows), parses the whole body, routes each change to its org by phone number id (an
 *       account-level change, about templates, number quality or the account, to every org of its
 *       business account, {@link WhatsAppAccounts#forBusinessAccountId}), refuses the body when the
 *       secret that signed it is not one of every such org, then hands one {@link WebhookBatch} to
 *       the sink. A change for a phone number or business account no org has is skipped and counted. A malformed body is refused with 400 before
 *       anything is applied; a sink failure answers 500 so that Meta delivers again.
 * </ul>
 *
 * <p>Thread-safe and immutable. Never logs a body, a secret or a presented signature.
 */
public final class MetaWebhookHandler {
    private static final Logger log = LoggerFactory.getLogger(MetaWebhookHandler.class);
    static final String SOURCE = "meta";
    static final int CHALLENGE_MAX = 256;
    private static final int MAX_BODY_LIMIT = 64 * 1024 * 1024;
    /**
     * Meta's webhook payloads are up to 3 MB (its Cloud API webhooks reference): a larger body is not
     * Meta's, and a smaller limit would refuse some of Meta's. Nothing larger is hashed or parsed.
     */
    public static final int DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final Secret verifyToken;
    private final WebhookSink sink;
    private final int maxBodyBytes;
    private final Clock clock;
    private final SignatureCheck signatures;
    private final MetaWebhookParser parser;
    private final WebhookMetrics metrics;
    private final ObjectMapper mapper;

    private MetaWebhookHandler(Builder b) {
        this.verifyToken = b.verifyToken;
        this.sink = b.sink;
        this.maxBodyBytes = b.maxBodyBytes;
        this.clock = b.clock;
        this.mapper = MetaJson.newMapper();
        this.signatures = new SignatureCheck(b.secrets);
        this.parser = new MetaWebhookParser(mapper, b.accounts);
        this.metrics = new WebhookMetrics(b.meterRegistry, SOURCE);
    }

    public static Builder builder() {
        return new Builder();
    }

    public WebhookResponse handle(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        switch (request.method()) {
            case "GET":
                return verify(request);
            case "POST":
                return receive(request);
            default:
                return error(405, "method not allowed");
        }
    }

    private WebhookResponse verify(WebhookRequest request) {
        String mode = request.queryParam("hub.mode").orElse(null);
        String token = request.queryParam("hub.verify_token").orElse(null);
        if (verifyToken == null || !"subscribe".equals(mode) || !verifyToken.matches(token)) {
            log.warn("Meta webhook verification refused: wrong mode or verify token");
            return WebhookResponse.text(403, "Forbidden");
        }
        String challenge = request.queryParam("hub.challenge").orElse(null);
        if (challenge == null || challenge.isEmpty() || challenge.length() > CHALLENGE_MAX
                || challenge.chars().anyMatch(Character::isISOControl)) {
            return WebhookResponse.text(400, "Missing or invalid hub.challenge");
        }
        log.info("Meta webhook subscription verified");
        return WebhookResponse.text(200, challenge);
    }

    private WebhookResponse receive(WebhookRequest request) {
        byte[] body = request.body();
        if (body.length > maxBodyBytes) {
            log.warn("Meta webhook refused: body of {} bytes exceeds {}", body.length, maxBodyBytes);
            return error(413, "body larger than " + maxBodyBytes + " bytes");
        }
        Instant now = clock.instant();
        SignatureCheck.Outcome signature;
        try {
            signature = signatures.check(request.header(SignatureCheck.HEADER).orElse(null), body,
                    PhoneNumberIds.in(body), now);
        } catch (RuntimeException e) {
            // the store's message names the org and the key, never a secret
            log.error("Meta webhook not processed: webhook secrets could not be loaded ({})", SafeText.describe(e));
            return error(500, "webhook secrets unavailable");
        }
        if (!signature.valid()) {
            return refuse(signature.failure(), body.length);
        }
        MetaWebhookParser.Parsed parsed;
        try {
            parsed = parser.parse(body, now);
        } catch (WebhookPayloadException e) {
            log.warn("Meta webhook refused: {}", e.getMessage());
            return error(400, e.getMessage());
        } catch (RuntimeException e) {
            log.error("Meta webhook not processed: accounts could not be looked up ({})", e.getClass().getName());
            return error(500, "accounts unavailable");
        }
        // the orgs routed by phone number id and every org of each business account an account-level
        // change names: the store applies such a change to all of them
        for (String org : parsed.orgs()) {
            if (!signature.allows(org)) {
                // signed with one org's secret but speaking for another: forged or misrouted
                return refuse(SignatureCheck.Failure.ORG_MISMATCH, body.length);
            }
        }
        if (parsed.unknownPhoneNumberIds() > 0 || parsed.unknownBusinessAccountIds() > 0
                || parsed.withoutPhoneNumber() > 0) {
            metrics.skipped(parsed.unknownPhoneNumberIds(), parsed.unknownBusinessAccountIds(),
                    parsed.withoutPhoneNumber());
            log.info("Meta webhook: skipped {} change(s) for unknown phone number ids, {} for unknown business "
                    + "accounts and {} message(s) without a phone number", parsed.unknownPhoneNumberIds(),
                    parsed.unknownBusinessAccountIds(), parsed.withoutPhoneNumber());
        }
        if (!parsed.malformedEvents().isEmpty()) {
            metrics.malformedEvents(parsed.malformedEvents().size());
            // field names and problems only: the parser never quotes a value
            log.warn("Meta webhook: skipped {} malformed lifecycle change(s): {}", parsed.malformedEvents().size(),
                    parsed.malformedEvents());
        }
        if (!parsed.valueErrors().isEmpty()) {
            parsed.valueErrors().forEach(e -> metrics.valueError(e.code()));
            log.warn("Meta webhook reported {} error(s): {}", parsed.valueErrors().size(), parsed.valueErrors());
        }
        WebhookBatch batch = new WebhookBatch(SOURCE, parsed.receipts(), parsed.inbound(), parsed.events());
        int received = batch.receipts().size() + batch.inbound().size() + batch.events().size();
        if (!batch.isEmpty()) {
            try {
                sink.accept(batch);
            } catch (RuntimeException e) {
                // the exception's message may quote stored data: its type only
                log.error("Meta webhook batch of {} item(s) for org(s) {} not stored: {}", received,
                        parsed.orgs(), e.getClass().getName());
                return error(500, "could not store the webhook");
            }
        }
        log.debug("Meta webhook: {} receipt(s), {} inbound message(s), {} lifecycle event(s) for org(s) {}",
                batch.receipts().size(), batch.inbound().size(), batch.events().size(), parsed.orgs());
        return WebhookResponse.json(200, mapper.createObjectNode().put("received", received).toString());
    }

    private WebhookResponse refuse(SignatureCheck.Failure failure, int bodyBytes) {
        metrics.signatureFailure(failure);
        // the runbook greps for this phrase; neither the secret nor the presented value is logged
        log.warn("Invalid webhook signature from Meta: reason={} bodyBytes={}", failure.tag(), bodyBytes);
        return error(401, "invalid signature");
    }

    private WebhookResponse error(int status, String problem) {
        return WebhookResponse.json(status, mapper.createObjectNode().put("error", problem).toString());
    }

    /** Settings of a {@link MetaWebhookHandler}; {@link #build()} validates them all at once. */
    public static final class Builder {
        private Secret verifyToken;
        private WebhookSecrets secrets;
        private WhatsAppAccounts accounts;
        private WebhookSink sink;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private MeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The token entered in Meta's webhook settings; without it every GET is refused with 403. */
        public Builder verifyToken(Secret verifyToken) {
            this.verifyToken = verifyToken;
            return this;
        }

        /** The app secrets signatures are checked against. Required. */
        public Builder secrets(WebhookSecrets secrets) {
            this.secrets = secrets;
            return this;
        }

        /**
         * Routes a change to its org by phone number id, an account-level change to the orgs of its
         * business account. Required.
         */
        public Builder accounts(WhatsAppAccounts accounts) {
            this.accounts = accounts;
            return this;
        }

        /** Where verified, fully parsed batches go. Required. */
        public Builder sink(WebhookSink sink) {
            this.sink = sink;
            return this;
        }

        /** Larger bodies get 413 unread; {@link #DEFAULT_MAX_BODY_BYTES} (3 MiB, Meta's largest payload) by default. */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Counts signature failures, skipped changes and Meta's value-level errors
         * ({@code whatsapp_webhook_errors_total{code}}); none by default.
         */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** Decides which secrets are valid (rotation overlaps); the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @throws io.whatsappoutbox.core.InvalidInputException naming every bad setting */
        public MetaWebhookHandler build() {
            Violations v = new Violations();
            v.requireNonNull("secrets", secrets);
            v.requireNonNull("accounts", accounts);
            v.requireNonNull("sink", sink);
            v.requireNonNull("clock", clock);
            v.range("maxBodyBytes", maxBodyBytes, 1, MAX_BODY_LIMIT);
            v.throwIfAny("Meta webhook settings");
            return new MetaWebhookHandler(this);
        }
    }
}
