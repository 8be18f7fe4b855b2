package io.whatsappoutbox.jdbc;

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

    /** Two requests of one batch share a key but not their content. */
    public static IdempotencyConflictException withinBatch(String orgId, String idempotencyKey) {
        return new IdempotencyConflictException(orgId, idempotencyKey, 0,
                "idempotencyKey: '" + idempotencyKey + "' of org " + orgId
                        + " is used twice in one batch with different content (rule: one key, one message content per org)");
    }

    private IdempotencyConflictException(String orgId, String idempotencyKey, long existingMessageId, String message) {
        super(message);
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

    /** The message already stored under the key, or 0 for a conflict within one batch. */
    public long existingMessageId() {
        return existingMessageId;
    }
}
