package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.MessageStatus;

import static io.whatsappoutbox.core.MessageStatus.CANCELLED;
import static io.whatsappoutbox.core.MessageStatus.DELIVERED;
import static io.whatsappoutbox.core.MessageStatus.FAILED;
import static io.whatsappoutbox.core.MessageStatus.QUEUED;
import static io.whatsappoutbox.core.MessageStatus.READ;
import static io.whatsappoutbox.core.MessageStatus.SENDING;
import static io.whatsappoutbox.core.MessageStatus.SENT;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Every allowed move of an outbound message, in one place. The store's SQL takes its
 * {@code WHERE status = ANY(...)} conditions from {@link Transition#sources()}, so the database
 * refuses exactly what this class refuses.
 *
 * <pre>
 * QUEUED ──claim──▶ SENDING ──accept──▶ SENT ──receipt──▶ DELIVERED ──receipt──▶ READ
 *   ▲                 │  │                │
 *   └──reschedule─────┘  └─dead letter──▶ FAILED ──operator retry──▶ QUEUED
 * QUEUED/FAILED ──cancel──▶ CANCELLED      SENT/DELIVERED ──failed receipt──▶ FAILED
 * </pre>
 */
public final class MessageStateMachine {
    private MessageStateMachine() {}

    /** A move and the statuses it may start from. */
    public enum Transition {
        /** The dispatcher takes a due message under a lease. */
        CLAIM(SENDING, QUEUED),
        /**
         * The provider accepted the message. Allowed from QUEUED too: a result that arrives after
         * its lease was recovered, but before another claim, still counts and saves a duplicate.
         */
        ACCEPT(SENT, SENDING, QUEUED),
        /** Retry later (a retryable error, a rate limit or a quota deferral). */
        RESCHEDULE(QUEUED, SENDING),
        /** Permanent error or attempts exhausted: the dead letter. */
        DEAD_LETTER(FAILED, SENDING),
        /** A lease expired, or an operator recovered a stuck message. */
        RECOVER(QUEUED, SENDING),
        /** Delivery receipt. */
        DELIVER(DELIVERED, SENT),
        /** Read receipt; {@code delivered} may be skipped. */
        READ_RECEIPT(READ, SENT, DELIVERED),
        /** A failed receipt whose error is final. */
        FAIL_RECEIPT(FAILED, SENT, DELIVERED),
        /** A failed receipt whose error is worth another attempt. */
        RETRY_RECEIPT(QUEUED, SENT),
        /** An operator sends a dead letter again, with a fresh attempt budget. */
        OPERATOR_RETRY(QUEUED, FAILED),
        /** An operator or the host withdraws a message that has not been accepted. */
        CANCEL(CANCELLED, QUEUED, FAILED),
        /** A queued message whose sendBy passed, ended by the maintenance without a call. */
        EXPIRE(FAILED, QUEUED);

        private final MessageStatus target;
        private final Set<MessageStatus> sources;

        Transition(MessageStatus target, MessageStatus first, MessageStatus... rest) {
            this.target = target;
            this.sources = Collections.unmodifiableSet(EnumSet.of(first, rest));
        }

        public MessageStatus target() {
            return target;
        }

        /** The statuses this move may start from. */
        public Set<MessageStatus> sources() {
            return sources;
        }

        /** The sources as names, for a SQL {@code status = ANY(?)} parameter. */
        public String[] sourceNames() {
            return sources.stream().map(Enum::name).toArray(String[]::new);
        }

        public boolean allowedFrom(MessageStatus status) {
            return sources.contains(status);
        }

        String describe() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * The status after {@code transition}.
     *
     * @throws IllegalTransitionException when the move is not allowed from {@code current}
     */
    public static MessageStatus apply(MessageStatus current, Transition transition) {
        if (!transition.allowedFrom(current)) {
            throw new IllegalTransitionException(current, transition.describe(), transition.sources());
        }
        return transition.target();
    }

    /**
     * The move a positive receipt ({@code sent}, {@code delivered}, {@code read}) makes from
     * {@code current}, or empty when it would not move the message forward: receipts arrive late,
     * twice and out of order, and are then ignored rather than rejected.
     */
    public static Optional<Transition> receiptTransition(MessageStatus current, DeliveryStatus receipt) {
        Transition t = switch (receipt) {
            case SENT -> null; // the synchronous answer already made it SENT
            case DELIVERED -> Transition.DELIVER;
            case READ -> Transition.READ_RECEIPT;
            case FAILED -> throw new IllegalArgumentException(
                    "a failed receipt goes through the retry decision, see FAIL_RECEIPT / RETRY_RECEIPT");
        };
        return t != null && t.allowedFrom(current) ? Optional.of(t) : Optional.empty();
    }

    /** Order of progress among accepted statuses: receipts only ever raise it. */
    public static int progress(MessageStatus status) {
        return switch (status) {
            case QUEUED -> 0;
            case SENDING -> 1;
            case SENT -> 2;
            case DELIVERED -> 3;
            case READ -> 4;
            case FAILED, CANCELLED -> -1;
        };
    }
}
