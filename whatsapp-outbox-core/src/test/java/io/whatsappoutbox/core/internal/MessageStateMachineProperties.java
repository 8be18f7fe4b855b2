package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.MessageStatus;

import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.ACCEPT;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.CANCEL;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.CLAIM;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.FAIL_RECEIPT;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.OPERATOR_RETRY;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.RETRY_RECEIPT;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The life of a message, whatever the order of events: a message is sent only once claimed and
 * accepted only by its provider, receipts only move it forward, it leaves the accepted statuses
 * only by a failed receipt, and the final statuses have no way out but the named ones.
 */
class MessageStateMachineProperties {
    private static final Set<MessageStatus> ACCEPTED = EnumSet.of(MessageStatus.SENT, MessageStatus.DELIVERED,
            MessageStatus.READ);
    private static final List<DeliveryStatus> POSITIVE_RECEIPTS = List.of(DeliveryStatus.SENT,
            DeliveryStatus.DELIVERED, DeliveryStatus.READ);

    private static List<Transition> allowedFrom(MessageStatus status) {
        return Arrays.stream(Transition.values()).filter(t -> t.allowedFrom(status)).toList();
    }

    /** A walk from QUEUED: at each step, the pick chooses one of the moves allowed there. */
    @Provide
    Arbitrary<List<Integer>> walks() {
        return Arbitraries.integers().between(0, 1_000).list().ofMaxSize(40);
    }

    @Property(tries = 2000)
    void everyPathFromQueuedKeepsTheRulesOfAMessagesLife(@ForAll("walks") List<Integer> picks) {
        MessageStatus status = MessageStatus.QUEUED;
        for (int pick : picks) {
            List<Transition> moves = allowedFrom(status);
            if (moves.isEmpty()) {
                assertThat(status).isIn(MessageStatus.READ, MessageStatus.CANCELLED);
                return;
            }
            Transition move = moves.get(pick % moves.size());
            MessageStatus next = MessageStateMachine.apply(status, move);
            String step = status + " -" + move + "-> " + next;

            if (next == MessageStatus.SENDING) {
                assertThat(move).as(step).isEqualTo(CLAIM);
            }
            if (ACCEPTED.contains(next) && !ACCEPTED.contains(status)) {
                assertThat(move).as("only the provider accepts: " + step).isEqualTo(ACCEPT);
            }
            if (ACCEPTED.contains(status) && ACCEPTED.contains(next)) {
                assertThat(MessageStateMachine.progress(next)).as("receipts move forward: " + step)
                        .isGreaterThan(MessageStateMachine.progress(status));
            }
            if (ACCEPTED.contains(status) && !ACCEPTED.contains(next)) {
                assertThat(move).as("an accepted message leaves only by a failed receipt: " + step)
                        .isIn(FAIL_RECEIPT, RETRY_RECEIPT);
            }
            if (next == MessageStatus.CANCELLED) {
                assertThat(status).as("what the provider took cannot be withdrawn: " + step)
                        .isNotIn(ACCEPTED.toArray());
            }
            status = next;
        }
    }

    @Property
    void theFinalStatusesHaveNoWayOutButTheNamedOnes(@ForAll MessageStatus from, @ForAll Transition move) {
        if (from == MessageStatus.READ || from == MessageStatus.CANCELLED) {
            assertThat(move.allowedFrom(from)).as(from + " " + move).isFalse();
        } else if (from == MessageStatus.FAILED) {
            // the dead letter comes back only by an operator's retry, or is withdrawn
            assertThat(move.allowedFrom(from)).as(from + " " + move).isEqualTo(move == OPERATOR_RETRY || move == CANCEL);
        }
    }

    @Example
    void everyStatusIsReachableFromQueuedAndEveryStatusCanReachAnEnd() {
        assertThat(reachableFrom(MessageStatus.QUEUED)).containsExactlyInAnyOrder(MessageStatus.values());
        for (MessageStatus s : MessageStatus.values()) {
            assertThat(reachableFrom(s)).as(s.name())
                    .containsAnyOf(MessageStatus.READ, MessageStatus.FAILED, MessageStatus.CANCELLED);
        }
    }

    private static Set<MessageStatus> reachableFrom(MessageStatus start) {
        Set<MessageStatus> seen = EnumSet.of(start);
        Deque<MessageStatus> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            for (Transition t : allowedFrom(todo.pop())) {
                if (seen.add(t.target())) {
                    todo.push(t.target());
                }
            }
        }
        return seen;
    }

    @Property(tries = 2000)
    void receiptsInAnyOrderLeaveTheFurthestOneAndNeverMoveBackwards(
            @ForAll("acceptedStatuses") MessageStatus start, @ForAll("receipts") List<DeliveryStatus> receipts) {
        MessageStatus status = start;
        for (DeliveryStatus r : receipts) {
            int before = MessageStateMachine.progress(status);
            Optional<Transition> t = MessageStateMachine.receiptTransition(status, r);
            if (t.isPresent()) {
                status = MessageStateMachine.apply(status, t.get());
            }
            assertThat(MessageStateMachine.progress(status)).isGreaterThanOrEqualTo(before);
        }
        MessageStatus furthest = receipts.stream().map(MessageStateMachineProperties::statusOf)
                .reduce(start, (a, b) -> MessageStateMachine.progress(a) >= MessageStateMachine.progress(b) ? a : b);
        assertThat(status).isEqualTo(furthest);
    }

    @Property
    void aReceiptNeverMovesAMessageTheProviderHasNotAccepted(@ForAll MessageStatus status,
            @ForAll("receipt") DeliveryStatus receipt) {
        if (!ACCEPTED.contains(status)) {
            assertThat(MessageStateMachine.receiptTransition(status, receipt)).as(status + " " + receipt).isEmpty();
        }
    }

    private static MessageStatus statusOf(DeliveryStatus receipt) {
        return switch (receipt) {
            case SENT -> MessageStatus.SENT;
            case DELIVERED -> MessageStatus.DELIVERED;
            case READ -> MessageStatus.READ;
            case FAILED -> throw new IllegalArgumentException("not a positive receipt");
        };
    }

    @Provide
    Arbitrary<MessageStatus> acceptedStatuses() {
        return Arbitraries.of(ACCEPTED);
    }

    @Provide
    Arbitrary<DeliveryStatus> receipt() {
        return Arbitraries.of(POSITIVE_RECEIPTS);
    }

    @Provide
    Arbitrary<List<DeliveryStatus>> receipts() {
        return receipt().list().ofMaxSize(20);
    }
}
