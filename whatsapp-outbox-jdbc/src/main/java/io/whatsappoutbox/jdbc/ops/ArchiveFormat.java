package io.whatsappoutbox.jdbc.ops;

/** How a dead-letter export is written. */
public enum ArchiveFormat {
    /**
     * RFC 4180, a header of {@code outbound_message} column names; the messages' attempts go to a
     * second file beside it, {@code <name>.attempts.csv}, with a header of {@code outbound_attempt}
     * column names (each file loads into its table as it is).
     */
    CSV,
    /** One JSON object per line with the message's columns and its {@code attempts}. */
    JSONL
}
