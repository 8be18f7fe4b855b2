package io.whatsappoutbox.jdbc.internal;

/**
 * A stored message row that this version cannot read (written by a newer version, or by hand):
 * it names the row's id and the column and rule it breaks, never the value. Internal.
 */
public final class UnreadableRowException extends RuntimeException {
    private final long id;
    private final String reason;

    UnreadableRowException(long id, String column, String rule) {
        super("message " + id + " cannot be read: " + column + " " + rule, null, false, false);
        this.id = id;
        this.reason = column + " " + rule;
    }

    public long id() {
        return id;
    }

    /** The column and the rule, for the dead letter's error message: {@code to_recipient is not E.164}. */
    public String reason() {
        return reason;
    }
}
