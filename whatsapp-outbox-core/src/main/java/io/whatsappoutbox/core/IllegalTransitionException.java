package io.whatsappoutbox.core;

import java.util.Set;

/** A move between statuses that the message's state machine does not allow: retry, cancel ... from the wrong status. */
public class IllegalTransitionException extends IllegalStateException {
    private final MessageStatus from;
    private final String move;
    private final Set<MessageStatus> allowedFrom;

    /**
     * @param move what was asked, in words ("operator retry", "cancel")
     * @param allowedFrom the statuses the move may start from
     */
    public IllegalTransitionException(MessageStatus from, String move, Set<MessageStatus> allowedFrom) {
        super("Cannot " + move + " a message in status " + from + " (allowed from " + allowedFrom + ")");
        this.from = from;
        this.move = move;
        this.allowedFrom = Set.copyOf(allowedFrom);
    }

    public MessageStatus from() {
        return from;
    }

    public String move() {
        return move;
    }

    public Set<MessageStatus> allowedFrom() {
        return allowedFrom;
    }
}
