package io.whatsappoutbox.core;

/** A move between statuses that {@link MessageStateMachine} does not allow. */
public class IllegalTransitionException extends IllegalStateException {
    private final MessageStatus from;
    private final MessageStateMachine.Transition transition;

    public IllegalTransitionException(MessageStatus from, MessageStateMachine.Transition transition) {
        super("Cannot " + transition.describe() + " a message in status " + from + " (allowed from "
                + transition.sources() + ")");
        this.from = from;
        this.transition = transition;
    }

    public MessageStatus from() {
        return from;
    }

    public MessageStateMachine.Transition transition() {
        return transition;
    }
}
