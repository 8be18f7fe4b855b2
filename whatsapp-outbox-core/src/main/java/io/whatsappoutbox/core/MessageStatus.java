package io.whatsappoutbox.core;

/**
 * Where an outbound message is in its life. The allowed moves between statuses live in
 * the message state machine (docs/architecture.md); this enum only names them.
 *
 * <p>{@code FAILED} is the dead letter: the message will not be sent again unless an operator
 * retries it.
 */
public enum MessageStatus {
    QUEUED,
    SENDING,
    SENT,
    DELIVERED,
    READ,
    FAILED,
    CANCELLED;

    /** Accepted by the provider: SENT, DELIVERED or READ. */
    public boolean isAccepted() {
        return this == SENT || this == DELIVERED || this == READ;
    }
}
