package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * What a provider call that threw is recorded as, the same for every HTTP provider, so that a
 * failure reads alike whichever provider met it:
 *
 * <table>
 *   <caption>failure and code</caption>
 *   <tr><th>the call threw</th><th>before the HTTP status came</th><th>after it (reading the body)</th></tr>
 *   <tr><td>the calling thread was interrupted (shutdown)</td><td colspan="2">{@code NETWORK_ERROR}, and
 *       the thread's interrupt flag is set again</td></tr>
 *   <tr><td>a timeout: connect, read, write or the whole call</td><td colspan="2">{@code TIMEOUT}: the
 *       provider may have the message</td></tr>
 *   <tr><td>another I/O failure (reset, refused, EOF, garbage)</td><td>{@code NETWORK_ERROR}</td>
 *       <td>{@code UNREADABLE_RESPONSE}</td></tr>
 *   <tr><td>a runtime exception (the HTTP library, or reading the answer)</td><td>{@code PROVIDER_EXCEPTION}</td>
 *       <td>{@code UNREADABLE_RESPONSE}</td></tr>
 * </table>
 *
 * An interrupt is not a timeout: the outbox cut its own call, the provider was not slow. The
 * message names the exception's class and its text with the secrets and phone numbers masked.
 * Internal.
 */
public final class CallFailures {
    private CallFailures() {}

    /**
     * @param provider the provider as people name it ("Meta", "Twilio"), for the message
     * @param failure what the call threw
     * @param httpStatus the status the provider answered with, or 0 when the call failed before it
     * @param secrets values to mask in the message (the token the call carried)
     */
    public static ProviderError of(String provider, Throwable failure, int httpStatus, String... secrets) {
        String cause = SafeText.describe(failure, secrets);
        if (isInterrupt(failure)) {
            // the caller (a dispatcher shutting down) must still see that it was interrupted
            Thread.currentThread().interrupt();
            return error(OutboxErrorCodes.NETWORK_ERROR, httpStatus, "Call to " + provider + " interrupted: " + cause);
        }
        if (failure instanceof InterruptedIOException) {
            // SocketTimeoutException, OkHttp's call timeout ("timeout"), Okio's "deadline reached"
            return error(OutboxErrorCodes.TIMEOUT, httpStatus, provider + " did not answer in time: " + cause);
        }
        if (httpStatus > 0) {
            return error(OutboxErrorCodes.UNREADABLE_RESPONSE, httpStatus,
                    "HTTP " + httpStatus + " from " + provider + ", answer unreadable: " + cause);
        }
        if (failure instanceof IOException) {
            return error(OutboxErrorCodes.NETWORK_ERROR, 0, "Network error calling " + provider + ": " + cause);
        }
        return error(OutboxErrorCodes.PROVIDER_EXCEPTION, 0, "Call to " + provider + " failed: " + cause);
    }

    /**
     * What an asynchronous HTTP call failed with, as the synchronous call would have thrown it:
     * OkHttp hands a runtime exception of the call's own thread (an interceptor's) to the callback
     * as an IOException "canceled due to ...", the exception its cause (OkHttp 5) or suppressed in
     * it (OkHttp 4). Read so, an asynchronous failure maps as {@link #of} maps the synchronous one.
     */
    public static Throwable asThrownByTheCall(IOException callbackFailure) {
        Throwable cause = callbackFailure.getCause();
        if (cause instanceof RuntimeException || cause instanceof Error) {
            return cause;
        }
        for (Throwable suppressed : callbackFailure.getSuppressed()) {
            if (suppressed instanceof RuntimeException || suppressed instanceof Error) {
                return suppressed;
            }
        }
        return callbackFailure;
    }

    /**
     * An interrupt of the calling thread, however the HTTP library reports it: Okio throws
     * {@code InterruptedIOException("interrupted")} and leaves the flag set; NIO closes the channel.
     */
    static boolean isInterrupt(Throwable failure) {
        if (failure instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static ProviderError error(String code, int httpStatus, String message) {
        return new ProviderError(code, httpStatus, message, null, null, null);
    }
}
