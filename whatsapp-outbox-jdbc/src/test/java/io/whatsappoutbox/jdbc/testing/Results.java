package io.whatsappoutbox.jdbc.testing;

import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import java.time.Duration;
import java.time.Instant;

/** Attempt results for store tests that play the dispatcher's part. */
public final class Results {
    /** The core's default decisions, for the receipts a completion applies. */
    public static final WebhookDecisions DECISIONS = DeliveryDecisions.defaults();

    private Results() {}

    public static AttemptResult sent(ClaimedMessage c, Instant now) {
        return AttemptResult.sent(c, "test", now, Duration.ofMillis(5), "wamid." + c.message().id() + "." + c.leaseOwner(), 200);
    }

    public static AttemptResult retry(ClaimedMessage c, Instant now, Instant next) {
        return AttemptResult.retry(c, "test", now, Duration.ofMillis(5),
                new ErrorInfo("131000", "Something went wrong", ErrorCategory.TEMPORARY), 500, next);
    }

    public static AttemptResult deferred(ClaimedMessage c, Instant now, Instant next) {
        return AttemptResult.deferred(c, "test", now, Duration.ofMillis(5),
                new ErrorInfo("130429", "Rate limit hit", ErrorCategory.RATE_LIMITED), 400, next, null);
    }

    public static AttemptResult dead(ClaimedMessage c, Instant now) {
        return AttemptResult.deadLetter(c, "test", now, Duration.ofMillis(5),
                new ErrorInfo("131026", "Message undeliverable", ErrorCategory.UNDELIVERABLE), 400, false, null);
    }
}
