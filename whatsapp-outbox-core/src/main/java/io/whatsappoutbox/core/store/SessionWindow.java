package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.MessageContent;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * WhatsApp's customer service window: each inbound message from the customer opens or extends it
 * for 24 hours; outside it only templates may be sent (Meta answers 131047 otherwise).
 *
 * @param lastInboundAt when the customer last wrote, or null if never
 */
public record SessionWindow(Instant lastInboundAt) {
    public static final Duration LENGTH = Duration.ofHours(24);

    public static SessionWindow never() {
        return new SessionWindow(null);
    }

    public boolean isOpenAt(Instant now) {
        return lastInboundAt != null && now.isBefore(lastInboundAt.plus(LENGTH));
    }

    public Optional<Instant> closesAt() {
        return Optional.ofNullable(lastInboundAt).map(t -> t.plus(LENGTH));
    }

    /** Whether {@code content} may be sent now: templates always, free-form only inside the window. */
    public boolean allows(MessageContent content, Instant now) {
        return !content.isFreeForm() || isOpenAt(now);
    }
}
