package io.whatsappoutbox.core;

import java.util.Locale;
import java.util.Optional;

/** A status reported by a provider after it accepted a message (a delivery receipt). */
public enum DeliveryStatus {
    SENT,
    DELIVERED,
    READ,
    FAILED;

    /**
     * Maps Meta's and Twilio's status words: {@code played} (voice) counts as read,
     * {@code undelivered} as failed; words that are not a delivery outcome ({@code queued},
     * {@code sending}, {@code accepted}) give empty.
     */
    public static Optional<DeliveryStatus> fromProviderWord(String word) {
        if (word == null) {
            return Optional.empty();
        }
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "sent" -> Optional.of(SENT);
            case "delivered" -> Optional.of(DELIVERED);
            case "read", "played" -> Optional.of(READ);
            case "failed", "undelivered" -> Optional.of(FAILED);
            default -> Optional.empty();
        };
    }
}
