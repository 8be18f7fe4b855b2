package io.whatsappoutbox.core.ops;

/** How a dead-letter export is written. */
public enum ArchiveFormat {
    /** RFC 4180, a header of {@code outbound_message} column names; attempts are not included. */
    CSV,
    /** One JSON object per line with the message's columns and its {@code attempts}. */
    JSONL
}
