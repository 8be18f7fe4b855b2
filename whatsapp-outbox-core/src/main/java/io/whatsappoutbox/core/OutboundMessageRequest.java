package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Fingerprint;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a host asks the outbox to send: validated completely when built, so a request that exists
 * is one the store can write and the provider can accept for its shape.
 *
 * @param orgId the tenant sending the message
 * @param dossierId optional business reference of the host (the runbook's dossier id)
 * @param channel WhatsApp or SMS
 * @param to the recipient
 * @param content what to send
 * @param idempotencyKey unique per org: enqueueing the same key again returns the first message
 * @param maxAttempts attempts before the dead letter, or null for the outbox default
 * @param notBefore earliest send time, or null for now
 * @param createdBy who asked (a user, a job), recorded as {@code created_by}
 * @param fallbackOf the WhatsApp message this one replaces on another channel, or null
 * @param purpose which consent the message needs (TRANSACTIONAL when null)
 * @param recipientTimeZone the recipient's zone for its org's sending hours, or null to take it
 *     from the number (see {@link SendingHours})
 * @param sendBy the latest time the message may be sent, or null for none: past it the message is
 *     never sent and ends in the dead letter as {@code EXPIRED}
 * @param priority which of the org's due messages go first (NORMAL when null)
 * @param orderingKey messages of the org with the same key are sent in enqueue order, or null
 * @param supersedes the org's QUEUED messages this one replaces: enqueueing it cancels them in the same
 *     statement, or null
 */
public record OutboundMessageRequest(
        String orgId,
        String dossierId,
        Channel channel,
        PhoneNumber to,
        MessageContent content,
        String idempotencyKey,
        Integer maxAttempts,
        Instant notBefore,
        String createdBy,
        Long fallbackOf,
        ConsentPurpose purpose,
        ZoneId recipientTimeZone,
        Instant sendBy,
        Priority priority,
        String orderingKey,
        BusinessKey supersedes) {

    public static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");
    public static final String ORG_ID_RULE = "1 to 64 characters: letters, digits, '.', '_', ':', '-', starting with a letter or digit";
    public static final int ORG_ID_MAX = 64;
    public static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:/@+=-]+");
    public static final int IDEMPOTENCY_KEY_MAX = 128;
    /** Room left in the column for keys the outbox derives, such as a fallback's. */
    public static final int IDEMPOTENCY_KEY_STORED_MAX = 200;
    static final String IDEMPOTENCY_KEY_RULE = "1 to " + IDEMPOTENCY_KEY_MAX
            + " characters: letters, digits and . _ : / @ + = -";
    static final Pattern REFERENCE = Pattern.compile("[\\p{L}\\p{N}._:/@#+=-]+");
    static final String REFERENCE_RULE = "at most 64 letters, digits and . _ : / @ # + = -";
    public static final int MAX_ATTEMPTS_LIMIT = 20;
    public static final int ORDERING_KEY_MAX = 128;
    static final String ORDERING_KEY_RULE = "at most " + ORDERING_KEY_MAX
            + " characters: letters, digits and . _ : / @ + = - (a recipient, a dossier)";
    /** The stored payload stays small enough for one row and one provider request. */
    public static final int PAYLOAD_MAX_BYTES = 64 * 1024;

    /** A request that needs the channel's transactional consent. */
    public OutboundMessageRequest(String orgId, String dossierId, Channel channel, PhoneNumber to, MessageContent content,
            String idempotencyKey, Integer maxAttempts, Instant notBefore, String createdBy, Long fallbackOf) {
        this(orgId, dossierId, channel, to, content, idempotencyKey, maxAttempts, notBefore, createdBy, fallbackOf,
                ConsentPurpose.TRANSACTIONAL);
    }

    /** A request without the scheduling fields: NORMAL, no deadline, no ordering key, nothing superseded. */
    public OutboundMessageRequest(String orgId, String dossierId, Channel channel, PhoneNumber to, MessageContent content,
            String idempotencyKey, Integer maxAttempts, Instant notBefore, String createdBy, Long fallbackOf,
            ConsentPurpose purpose) {
        this(orgId, dossierId, channel, to, content, idempotencyKey, maxAttempts, notBefore, createdBy, fallbackOf,
                purpose, null, null, Priority.NORMAL, null, null);
    }

    public OutboundMessageRequest {
        purpose = purpose == null ? ConsentPurpose.TRANSACTIONAL : purpose;
        priority = priority == null ? Priority.NORMAL : priority;
        Violations v = new Violations();
        validate(v, orgId, dossierId, channel, to == null ? null : to.value(), content, idempotencyKey,
                maxAttempts, createdBy, fallbackOf, supersedes);
        checkSendBy(v, notBefore, sendBy);
        checkOrderingKey(v, orderingKey);
        v.throwIfAny("outbound message");
    }

    private static void checkOrderingKey(Violations v, String orderingKey) {
        v.optionalText("orderingKey", orderingKey, ORDERING_KEY_MAX, IDEMPOTENCY_KEY, ORDERING_KEY_RULE);
    }

    private static void checkSendBy(Violations v, Instant notBefore, Instant sendBy) {
        if (sendBy != null && notBefore != null && !sendBy.isAfter(notBefore)) {
            v.add("sendBy", "is " + sendBy + ", not after notBefore " + notBefore, "later than notBefore, if both are set");
        }
    }

    private static void validate(Violations v, String orgId, String dossierId, Channel channel, String to,
            MessageContent content, String idempotencyKey, Integer maxAttempts, String createdBy,
            Long fallbackOf, BusinessKey supersedes) {
        v.orgId("orgId", orgId);
        v.optionalText("dossierId", dossierId, 64, REFERENCE, REFERENCE_RULE);
        v.requireNonNull("channel", channel);
        PhoneNumber.check(v, "to", to);
        if (v.requireNonNull("content", content) && channel != null) {
            int before = v.size();
            ContentRules.validate(content, v, channel, "");
            if (v.size() == before && Fingerprint.estimatedBytes(content) > PAYLOAD_MAX_BYTES) {
                v.add("content", "is about " + Fingerprint.estimatedBytes(content) + " bytes",
                        "at most " + PAYLOAD_MAX_BYTES + " bytes");
            }
        }
        // keys the outbox derives (a fallback's) may be longer than the ones hosts choose
        int keyMax = fallbackOf == null ? IDEMPOTENCY_KEY_MAX : IDEMPOTENCY_KEY_STORED_MAX;
        v.text("idempotencyKey", idempotencyKey, keyMax, IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_RULE);
        if (maxAttempts != null) {
            v.range("maxAttempts", maxAttempts, 1, MAX_ATTEMPTS_LIMIT);
        }
        v.optionalText("createdBy", createdBy, 64, REFERENCE, REFERENCE_RULE);
        if (fallbackOf != null && fallbackOf <= 0) {
            v.add("fallbackOf", "is " + fallbackOf, "a message id, greater than 0");
        }
        if (supersedes != null && supersedes.kind() == BusinessKey.Kind.IDEMPOTENCY_KEY
                && supersedes.value().equals(idempotencyKey)) {
            v.add("supersedes", "names the message's own idempotency key", "the key of another message");
        }
    }

    /**
     * A digest of what the message says and to whom: the same idempotency key with another
     * fingerprint is a conflict, not a duplicate.
     */
    public String fingerprint() {
        return Fingerprint.of(channel, to, content, dossierId);
    }

    /** Names the message without its content: logged by accident, it shows no body and no full number. */
    @Override
    public String toString() {
        return "OutboundMessageRequest[orgId=" + orgId + ", dossierId=" + SafeText.redact(dossierId) + ", channel="
                + channel + ", to=" + to + ", content=" + describe(content) + ", idempotencyKey="
                + SafeText.redact(idempotencyKey) + ", maxAttempts=" + maxAttempts + ", notBefore=" + notBefore
                + ", createdBy=" + SafeText.redact(createdBy) + ", fallbackOf=" + fallbackOf
                + (sendBy == null ? "" : ", sendBy=" + sendBy) + ", priority=" + priority
                + (orderingKey == null ? "" : ", orderingKey=" + SafeText.redact(orderingKey))
                + (supersedes == null ? "" : ", supersedes=" + supersedes) + "]";
    }

    /** {@code TEXT}, {@code TEMPLATE(appointment_reminder)}: the kind of content, never what it says. */
    static String describe(MessageContent content) {
        if (content == null) {
            return "null";
        }
        return content.type() + content.templateName().map(n -> "(" + n + ")").orElse("");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static Builder whatsapp(String orgId, String to) {
        return new Builder().orgId(orgId).channel(Channel.WHATSAPP).to(to);
    }

    public static Builder sms(String orgId, String to) {
        return new Builder().orgId(orgId).channel(Channel.SMS).to(to);
    }

    /**
     * Collects the fields as given and validates them all at {@link #build()}, so that every
     * mistake is reported at once and a raw recipient that is not E.164 is named {@code to}.
     */
    public static final class Builder {
        private String orgId;
        private String dossierId;
        private Channel channel;
        private String to;
        private MessageContent content;
        private String idempotencyKey;
        private Integer maxAttempts;
        private Instant notBefore;
        private String createdBy;
        private Long fallbackOf;
        private ConsentPurpose purpose = ConsentPurpose.TRANSACTIONAL;
        private ZoneId recipientTimeZone;
        private Instant sendBy;
        private Priority priority = Priority.NORMAL;
        private String orderingKey;
        private BusinessKey supersedes;

        private Builder() {}

        /** Which consent the message needs: TRANSACTIONAL (the default) or MARKETING. */
        public Builder purpose(ConsentPurpose purpose) {
            this.purpose = purpose;
            return this;
        }

        public Builder orgId(String orgId) {
            this.orgId = orgId;
            return this;
        }

        public Builder dossierId(String dossierId) {
            this.dossierId = dossierId;
            return this;
        }

        public Builder channel(Channel channel) {
            this.channel = channel;
            return this;
        }

        public Builder to(String e164) {
            this.to = e164;
            return this;
        }

        public Builder to(PhoneNumber to) {
            this.to = to == null ? null : to.value();
            return this;
        }

        public Builder content(MessageContent content) {
            this.content = content;
            return this;
        }

        public Builder text(String body) {
            return content(MessageContent.text(body));
        }

        public Builder template(String name, String language, String... parameters) {
            return content(MessageContent.template(name, language, parameters));
        }

        public Builder template(String name, String language, List<Template.Parameter> parameters) {
            return content(new Template(name, language, parameters));
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder maxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder notBefore(Instant notBefore) {
            this.notBefore = notBefore;
            return this;
        }

        public Builder createdBy(String createdBy) {
            this.createdBy = createdBy;
            return this;
        }

        public Builder fallbackOf(Long parentMessageId) {
            this.fallbackOf = parentMessageId;
            return this;
        }

        /**
         * The latest time the message may go (a reminder useless after the visit): past it, it is
         * never sent, whatever retries or holds it waited for, and ends in the dead letter as
         * {@code EXPIRED}. A fallback rule's {@code orNotSentBefore} sends the SMS before it instead.
         */
        public Builder sendBy(Instant sendBy) {
            this.sendBy = sendBy;
            return this;
        }

        /** Which of the org's due messages go first: HIGH before NORMAL (the default) before LOW. */
        public Builder priority(Priority priority) {
            this.priority = priority;
            return this;
        }

        /**
         * Messages of the org with the same key (a recipient, a dossier) are sent in enqueue order: one
         * waits while an earlier one of its key is queued or being sent, across retries and
         * dispatchers. An earlier one that ends (sent, dead-lettered, expired, cancelled) no longer
         * holds it.
         */
        public Builder orderingKey(String orderingKey) {
            this.orderingKey = orderingKey;
            return this;
        }

        /** The recipient's zone for its org's sending hours, when the host knows it better than the number. */
        public Builder recipientTimeZone(ZoneId zone) {
            this.recipientTimeZone = zone;
            return this;
        }

        /**
         * Replaces the org's messages of {@code key} that are still QUEUED: the enqueue cancels them in
         * the statement that inserts this one, so a rollback keeps them. A message being sent is not
         * touched. Enqueueing the same idempotency key again cancels nothing more.
         */
        public Builder supersedes(BusinessKey key) {
            this.supersedes = key;
            return this;
        }

        /**
         * Validates every field and builds the request. Without an idempotency key a random one is
         * used: the message is then not protected against a host that enqueues it twice.
         *
         * @throws InvalidInputException listing every broken rule
         */
        public OutboundMessageRequest build() {
            String key = idempotencyKey == null ? UUID.randomUUID().toString() : idempotencyKey;
            Violations v = new Violations();
            validate(v, orgId, dossierId, channel, to, content, key, maxAttempts, createdBy, fallbackOf, supersedes);
            checkSendBy(v, notBefore, sendBy);
            checkOrderingKey(v, orderingKey);
            v.throwIfAny("outbound message");
            return new OutboundMessageRequest(orgId, dossierId, channel, new PhoneNumber(to), content, key,
                    maxAttempts, notBefore, createdBy, fallbackOf, purpose, recipientTimeZone,
                    sendBy == null ? null : sendBy.truncatedTo(java.time.temporal.ChronoUnit.MICROS), priority,
                    orderingKey, supersedes);
        }
    }
}
