package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.MessageStateMachine.Transition;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** No sequence of events reaches an illegal state or moves a receipt backwards. */
class MessageStateMachineProperties {

    /** An event: a transition attempted by some actor, or a receipt arriving. */
    record Event(Transition transition, DeliveryStatus receipt) {}

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<Event> transitions = Arbitraries.of(Transition.class).map(t -> new Event(t, null));
        Arbitrary<Event> receipts = Arbitraries.of(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
                .map(r -> new Event(null, r));
        return Arbitraries.oneOf(transitions, receipts).list().ofMaxSize(60);
    }

    @Property(tries = 2000)
    void everyReachableStatusIsKnownAndTransitionsAreEnforced(@ForAll("events") List<Event> events) {
        MessageStatus status = MessageStatus.QUEUED;
        for (Event e : events) {
            if (e.transition() != null) {
                boolean allowed = e.transition().allowedFrom(status);
                try {
                    MessageStatus next = MessageStateMachine.apply(status, e.transition());
                    assertThat(allowed).isTrue();
                    assertThat(next).isEqualTo(e.transition().target());
                    status = next;
                } catch (IllegalTransitionException ex) {
                    assertThat(allowed).isFalse();
                    assertThat(ex.from()).isEqualTo(status);
                }
            } else {
                Optional<Transition> t = MessageStateMachine.receiptTransition(status, e.receipt());
                if (t.isPresent()) {
                    MessageStatus next = MessageStateMachine.apply(status, t.get());
                    assertThat(MessageStateMachine.progress(next)).isGreaterThan(MessageStateMachine.progress(status));
                    status = next;
                }
            }
            assertThat(status).isNotNull();
        }
    }

    @Property(tries = 2000)
    void receiptsAloneNeverMoveAMessageBackwards(@ForAll("receiptsOnly") List<DeliveryStatus> receipts) {
        MessageStatus status = MessageStatus.SENT;
        int progress = MessageStateMachine.progress(status);
        for (DeliveryStatus r : receipts) {
            Optional<Transition> t = MessageStateMachine.receiptTransition(status, r);
            if (t.isPresent()) {
                status = MessageStateMachine.apply(status, t.get());
            }
            assertThat(MessageStateMachine.progress(status)).isGreaterThanOrEqualTo(progress);
            progress = MessageStateMachine.progress(status);
        }
        // the final status is the furthest receipt seen, whatever the order
        int furthest = receipts.stream().mapToInt(r -> switch (r) {
            case READ -> 4;
            case DELIVERED -> 3;
            default -> 2;
        }).max().orElse(2);
        assertThat(progress).isEqualTo(furthest);
    }

    @Provide
    Arbitrary<List<DeliveryStatus>> receiptsOnly() {
        return Arbitraries.of(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ).list().ofMaxSize(20);
    }

    @Property
    void cancelledIsTerminal(@ForAll Transition t) {
        assertThat(t.allowedFrom(MessageStatus.CANCELLED)).isFalse();
    }

    @Property
    void readOnlyEverMovesNowhere(@ForAll Transition t) {
        assertThat(t.allowedFrom(MessageStatus.READ)).isFalse();
    }
}
