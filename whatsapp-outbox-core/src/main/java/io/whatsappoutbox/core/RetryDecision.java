package io.whatsappoutbox.core;

import java.time.Instant;
import java.util.Objects;

/** What happens to a message after a failed attempt. */
public sealed interface RetryDecision permits RetryDecision.Retry, RetryDecision.Defer, RetryDecision.DeadLetter {

    /** Try again at {@code nextAttemptAt}; the failed attempt counts. */
    record Retry(Instant nextAttemptAt) implements RetryDecision {
        public Retry {
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        }
    }

    /**
     * Try again at {@code nextAttemptAt} without spending an attempt (rate limit, quota, throttle).
     *
     * @param throttleOrgUntil when the whole org must pause on this channel, or null
     */
    record Defer(Instant nextAttemptAt, Instant throttleOrgUntil) implements RetryDecision {
        public Defer {
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        }
    }

    /** Give up: the message goes to the dead letter, for {@code reason}. */
    record DeadLetter(String reason) implements RetryDecision {
        public DeadLetter {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
