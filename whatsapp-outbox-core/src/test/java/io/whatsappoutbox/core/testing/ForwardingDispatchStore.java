package io.whatsappoutbox.core.testing;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QueueSnapshot;
import io.whatsappoutbox.core.store.QuotaGrant;
import io.whatsappoutbox.core.store.WebhookDecisions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A store that hands every call to another: a test overrides the calls it watches or breaks
 * (counting claims, failing a quota reservation once) and the real store does the rest.
 */
public class ForwardingDispatchStore implements DispatchStore {
    private final DispatchStore delegate;

    public ForwardingDispatchStore(DispatchStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now, ClaimShare share) {
        return delegate.claim(leaseOwner, batchSize, lease, now, share);
    }

    @Override
    public Map<String, QuotaGrant> reserveQuota(Map<String, Integer> wanted, Instant now) {
        return delegate.reserveQuota(wanted, now);
    }

    @Override
    public void releaseQuota(Map<String, Integer> unsent, Instant reservedAt, Instant now) {
        delegate.releaseQuota(unsent, reservedAt, now);
    }

    @Override
    public CompletionReport complete(List<AttemptResult> results, WebhookDecisions decisions, Instant now) {
        return delegate.complete(results, decisions, now);
    }

    @Override
    public int recoverExpiredLeases(Instant now, int limit) {
        return delegate.recoverExpiredLeases(now, limit);
    }

    @Override
    public void throttle(String orgId, Channel channel, Instant until, Instant now) {
        delegate.throttle(orgId, channel, until, now);
    }

    @Override
    public QueueSnapshot snapshot(Instant now, Duration stuckQueuedAfter) {
        return delegate.snapshot(now, stuckQueuedAfter);
    }

    @Override
    public List<OutboundMessage> undelivered(Instant sentAfter, Instant sentBefore, Instant afterSentAt, long afterId,
            int limit) {
        return delegate.undelivered(sentAfter, sentBefore, afterSentAt, afterId, limit);
    }

    @Override
    public List<Long> createFallbacks(List<OutboundMessageRequest> fallbacks) {
        return delegate.createFallbacks(fallbacks);
    }
}
