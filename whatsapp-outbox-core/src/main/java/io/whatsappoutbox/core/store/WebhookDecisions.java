package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.time.Instant;
import java.util.Objects;

/**
 * The core's decisions the store asks for while it applies a webhook batch inside its
 * transaction: pure functions, no I/O.
 */
public interface WebhookDecisions {

    /**
     * What a failed receipt does to a message the provider had accepted.
     *
     * @param provider the provider that accepted the message (its catalogue reads the receipt's
     *     code), or null when the store does not know it
     */
    FailedReceiptAction onFailedReceipt(OutboundMessage message, DeliveryReceipt receipt, String provider, Instant now);

    /**
     * Whether an inbound message is an opt-out: a keyword the customer typed (STOP, ARRET ...),
     * never a button's title, or a reply id the host declared. Every purpose's consent on the
     * message's channel is then revoked.
     */
    boolean isOptOut(InboundMessage message);

    /** Whether an inbound SMS grants its channel's consent back (START, UNSTOP, YES). */
    default boolean isOptIn(InboundMessage message) {
        return false;
    }

    /**
     * Retry the message (it goes back to QUEUED at {@code nextAttemptAt}) or dead-letter it, with
     * an optional fallback on another channel.
     */
    record FailedReceiptAction(boolean retry, ErrorInfo error, Instant nextAttemptAt, boolean revokeConsent,
            OutboundMessageRequest fallback, ConsentPurpose revokedPurpose) {
        /** An action whose opt-out (if any) revokes every purpose. */
        public FailedReceiptAction(boolean retry, ErrorInfo error, Instant nextAttemptAt, boolean revokeConsent,
                OutboundMessageRequest fallback) {
            this(retry, error, nextAttemptAt, revokeConsent, fallback, null);
        }

        public FailedReceiptAction {
            Objects.requireNonNull(error, "error");
            if (retry) {
                Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
                if (fallback != null) {
                    throw new IllegalArgumentException("a retried message does not fall back");
                }
            }
        }

        public static FailedReceiptAction retryAt(ErrorInfo error, Instant at) {
            return new FailedReceiptAction(true, error, at, false, null);
        }

        public static FailedReceiptAction deadLetter(ErrorInfo error, boolean revokeConsent,
                OutboundMessageRequest fallback) {
            return new FailedReceiptAction(false, error, null, revokeConsent, fallback, null);
        }

        /** @param revokedPurpose the one purpose revoked, or null for every purpose of the channel */
        public static FailedReceiptAction deadLetter(ErrorInfo error, boolean revokeConsent,
                ConsentPurpose revokedPurpose, OutboundMessageRequest fallback) {
            return new FailedReceiptAction(false, error, null, revokeConsent, fallback, revokedPurpose);
        }
    }
}
