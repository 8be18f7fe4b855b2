package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.store.SessionWindow;
import java.util.Objects;

/**
 * A message claimed under a lease, with the state the send rules need, read in the same statement
 * as the claim.
 *
 * @param leaseOwner the lease under which results must be written
 * @param window the recipient's session window; a store may leave it closed ({@link SessionWindow#never()})
 *     for templates, which the window does not restrict, and it is never read for SMS
 * @param senderId the sending phone number id (WhatsApp), for pacing, or null
 * @param senderMessagesPerSecond the sender's own pacing limit, or null for the dispatcher's default
 */
public record ClaimedMessage(OutboundMessage message, String leaseOwner, ConsentStatus consent, SessionWindow window,
        String senderId, Integer senderMessagesPerSecond) {
    public ClaimedMessage {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(leaseOwner, "leaseOwner");
        consent = consent == null ? ConsentStatus.UNKNOWN : consent;
        window = window == null ? SessionWindow.never() : window;
    }
}
