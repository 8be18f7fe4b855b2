package io.whatsappoutbox.core;

/**
 * The idempotency key was already used by this org for a message with other content: the second
 * request is refused rather than silently answered with the first message.
 */
public class IdempotencyConflictException extends IllegalStateException {
    private final String orgId;
    private final String idempotencyKey;
    private final long existingMessageId;

    public IdempotencyConflictException(String orgId, String idempotencyKey, long existingMessageId) {
        super("idempotencyKey: '" + idempotencyKey + "' of org " + orgId + " is already used by message "
                + existingMessageId + " with other content (rule: one key, one message content per org)");
        this.orgId = orgId;
        this.idempotencyKey = idempotencyKey;
        this.existingMessageId = existingMessageId;
    }

    public String orgId() {
        return orgId;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public long existingMessageId() {
        return existingMessageId;
    }
}
