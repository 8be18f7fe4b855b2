package io.whatsappoutbox.core.store;

/**
 * Thrown by {@link DispatchStore#complete} when the store refuses results for what they hold (a
 * value its database cannot take, a constraint or trigger that rejects them), not because it is
 * unreachable: writing the same results again fails the same way. The dispatcher then writes the
 * batch one result at a time and dead-letters only the results refused alone. Any other exception
 * from {@code complete} means "try again later", and the dispatcher never dead-letters for it.
 */
public class ResultsRefusedException extends RuntimeException {
    public ResultsRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
