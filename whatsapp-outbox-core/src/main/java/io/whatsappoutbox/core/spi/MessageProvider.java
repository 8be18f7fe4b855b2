package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import java.time.Duration;

/**
 * Sends one message through one provider (Meta Cloud API, an SMS API, a test double).
 *
 * <p>The dispatcher calls it with no database transaction open, from several threads at once.
 * Every failure the provider reports, and every network failure, comes back as
 * {@link SendResult.Rejected} with the provider's code; an exception thrown anyway is recorded as
 * {@code PROVIDER_EXCEPTION} and retried like an unknown error.
 */
@FunctionalInterface
public interface MessageProvider {

    SendResult send(OutboundMessage message);

    /** A short name for logs, metrics and attempt rows ({@code meta}, {@code twilio}). */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * The longest one {@link #send} may take (an HTTP client's call timeout). The dispatcher starts
     * no call later than this before the message's lease ends, so that no call outlives its lease,
     * and refuses a lease not longer than it. Zero, the default, says the provider does not bound
     * its calls: the dispatcher then keeps no room for the call itself.
     */
    default Duration callTimeout() {
        return Duration.ZERO;
    }

    /** How this provider's error codes are classified; the dispatcher may override it. */
    default ErrorCatalogue errorCatalogue() {
        return ErrorCatalogue.builder(name()).build();
    }
}
