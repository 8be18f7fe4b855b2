package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.DispatchStore;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a batch reserved of each org's quota and did not send, given back in one call once the
 * last reserved message has its result.
 */
final class QuotaReturn {
    private static final Logger log = LoggerFactory.getLogger(QuotaReturn.class);

    private final DispatchStore store;
    private final Clock clock;
    private final Instant reservedAt;
    private final Map<String, Integer> unsent = new HashMap<>();
    private int pending;

    QuotaReturn(DispatchStore store, Clock clock, Instant reservedAt) {
        this.store = store;
        this.clock = clock;
        this.reservedAt = reservedAt;
    }

    synchronized void reserved(int n) {
        pending += n;
    }

    void settled(AttemptResult r) {
        if (r.message().channel() != Channel.WHATSAPP) {
            return;
        }
        Map<String, Integer> release;
        synchronized (this) {
            if (r.outcome() != Outcome.SENT) {
                unsent.merge(r.message().orgId(), 1, Integer::sum);
            }
            if (--pending > 0 || unsent.isEmpty()) {
                return;
            }
            release = Map.copyOf(unsent);
            unsent.clear();
        }
        try {
            store.releaseQuota(release, reservedAt, clock.instant());
        } catch (RuntimeException e) {
            log.warn("Could not give back unused quota of {} org(s): it stays counted until the reset: {}",
                    release.size(), SafeText.describe(e));
        }
    }
}
