package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.IllegalTransitionException;
import io.whatsappoutbox.core.MessageStatus;

import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.ACCEPT;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.CANCEL;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.CLAIM;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.DEAD_LETTER;
import static io.whatsappoutbox.core.internal.MessageStateMachine.Transition.OPERATOR_RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import org.junit.jupiter.api.Test;

class MessageStateMachineTest {

    @Test
    void followsTheHappyPath() {
        MessageStatus s = MessageStatus.QUEUED;
        s = MessageStateMachine.apply(s, CLAIM);
        s = MessageStateMachine.apply(s, ACCEPT);
        assertThat(s).isEqualTo(MessageStatus.SENT);
        s = MessageStateMachine.apply(s, MessageStateMachine.receiptTransition(s, DeliveryStatus.DELIVERED).orElseThrow());
        s = MessageStateMachine.apply(s, MessageStateMachine.receiptTransition(s, DeliveryStatus.READ).orElseThrow());
        assertThat(s).isEqualTo(MessageStatus.READ);
    }

    @Test
    void rejectsIllegalTransitionsWithAClearMessage() {
        assertThatThrownBy(() -> MessageStateMachine.apply(MessageStatus.SENT, CLAIM))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("Cannot claim a message in status SENT")
                .hasMessageContaining("QUEUED");
        assertThatThrownBy(() -> MessageStateMachine.apply(MessageStatus.CANCELLED, OPERATOR_RETRY))
                .isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> MessageStateMachine.apply(MessageStatus.READ, CANCEL))
                .isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void deadLetterComesBackOnlyThroughAnOperatorRetry() {
        MessageStatus failed = MessageStateMachine.apply(MessageStatus.SENDING, DEAD_LETTER);
        for (Transition t : Transition.values()) {
            if (t != OPERATOR_RETRY && t != CANCEL) {
                assertThat(t.allowedFrom(failed)).as(t.name()).isFalse();
            }
        }
        assertThat(MessageStateMachine.apply(failed, OPERATOR_RETRY)).isEqualTo(MessageStatus.QUEUED);
    }

    @Test
    void ignoresReceiptsThatWouldMoveBackwards() {
        assertThat(MessageStateMachine.receiptTransition(MessageStatus.READ, DeliveryStatus.DELIVERED)).isEmpty();
        assertThat(MessageStateMachine.receiptTransition(MessageStatus.DELIVERED, DeliveryStatus.DELIVERED)).isEmpty();
        assertThat(MessageStateMachine.receiptTransition(MessageStatus.SENT, DeliveryStatus.SENT)).isEmpty();
        assertThat(MessageStateMachine.receiptTransition(MessageStatus.FAILED, DeliveryStatus.READ)).isEmpty();
        assertThat(MessageStateMachine.receiptTransition(MessageStatus.SENT, DeliveryStatus.READ))
                .contains(Transition.READ_RECEIPT);
    }

    @Test
    void givesSqlTheSourcesOfEachTransition() {
        assertThat(CLAIM.sourceNames()).containsExactly("QUEUED");
        assertThat(ACCEPT.sourceNames()).containsExactlyInAnyOrder("SENDING", "QUEUED");
    }

    @Test
    void mapsProviderStatusWords() {
        assertThat(DeliveryStatus.fromProviderWord("played")).contains(DeliveryStatus.READ);
        assertThat(DeliveryStatus.fromProviderWord("undelivered")).contains(DeliveryStatus.FAILED);
        assertThat(DeliveryStatus.fromProviderWord("queued")).isEmpty();
        assertThat(DeliveryStatus.fromProviderWord(null)).isEmpty();
    }
}
