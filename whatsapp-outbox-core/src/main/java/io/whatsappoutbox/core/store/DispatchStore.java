package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the dispatcher needs from the store. Every method runs its own short transaction; none is
 * ever called with a provider call in flight inside it.
 */
public interface DispatchStore {

    /**
     * Claims up to {@code batchSize} due messages under the lease {@code leaseOwner} until
     * {@code now + lease}, counting one attempt each. Claims are fair between orgs: an org with a
     * large backlog does not starve another org's new message. Orgs throttled or out of quota on
     * WhatsApp are skipped for that channel.
     */
    default List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now) {
        return claim(leaseOwner, batchSize, lease, now, ClaimShare.ALL);
    }

    /**
     * Claims as {@link #claim(String, int, Duration, Instant)} does, from the due lanes of
     * {@code share} only (every due lane when that share has none); which lanes fall in which share
     * may rotate over time, so that every lane is served alike.
     */
    List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now, ClaimShare share);

    /**
     * Reserves WhatsApp quota atomically for the messages about to be sent: {@code wanted} per
     * org. Orgs without a quota get everything.
     */
    Map<String, QuotaGrant> reserveQuota(Map<String, Integer> wanted, Instant now);

    /**
     * Gives back quota reserved at {@code reservedAt} for messages that were then not sent
     * ({@code unsent} per org: deferred by pacing, an open circuit or the lease, rejected by the
     * provider), so that the quota counts sends, not reservations. Reservations of a period that
     * has ended since are not given back to the next one.
     */
    void releaseQuota(Map<String, Integer> unsent, Instant reservedAt, Instant now);

    /**
     * Writes a batch of results, each conditional on its lease, with one attempt row each, all or
     * nothing. Receipts that arrived before a message's result (kept by the webhook store) are
     * applied in the same transaction as the result that makes their message SENT, with
     * {@code decisions} for failed ones; until that transaction commits they stay kept.
     *
     * @throws ResultsRefusedException when the store refuses the results for what they hold;
     *     any other exception means the store could not be reached and the write may be retried
     */
    CompletionReport complete(List<AttemptResult> results, WebhookDecisions decisions, Instant now);

    /**
     * Returns messages whose lease expired to QUEUED (or to the dead letter when their attempts
     * are used up), at most {@code limit}.
     *
     * @return how many were recovered
     */
    int recoverExpiredLeases(Instant now, int limit);

    /** Pauses an org's sending on a channel until {@code until} (kept if already later). */
    void throttle(String orgId, Channel channel, Instant until, Instant now);

    /** The queue's gauges. */
    QueueSnapshot snapshot(Instant now, Duration stuckQueuedAfter);

    /**
     * WhatsApp messages accepted in {@code (sentAfter, sentBefore]}, still without a delivery
     * receipt and without a fallback, oldest first, after the cursor {@code (afterSentAt, afterId)}
     * (null for the start): candidates of the "not delivered within" fallback rule.
     */
    List<io.whatsappoutbox.core.OutboundMessage> undelivered(Instant sentAfter, Instant sentBefore, Instant afterSentAt,
            long afterId, int limit);

    /** Creates fallback messages (once per parent, ever); returns the ids of those created now. */
    List<Long> createFallbacks(List<io.whatsappoutbox.core.OutboundMessageRequest> fallbacks);

    /**
     * The templates and orgs Meta's lifecycle webhooks hold back at {@code now} (see
     * {@link SendingHolds}); a store without lifecycle webhooks holds nothing.
     */
    default SendingHolds sendingHolds(Instant now) {
        return SendingHolds.NONE;
    }

    /**
     * Ends up to {@code limit} QUEUED messages whose {@code sendBy} is at or before {@code now} as
     * dead letters {@code EXPIRED}, without a call and without fallback (an SMS would be as late);
     * the dispatcher's gate does the same for the ones it claims. A store without deadlines has none.
     *
     * @return how many it ended, by channel (none: an empty map)
     */
    default Map<Channel, Integer> expireOverdue(Instant now, int limit) {
        return Map.of();
    }

    /**
     * Counts the recipients of the WhatsApp templates among {@code messages} (business-initiated
     * conversations; other messages are passed over) in their business account's rolling 24-hour
     * window, once for the batch, and returns the templates to new recipients past the account's
     * messaging limit, each with the instant the window frees a place. A store that keeps no count
     * refuses nothing.
     */
    default Map<Long, Instant> reserveRecipients(List<ClaimedMessage> messages, Instant now) {
        return Map.of();
    }

    /**
     * For each org whose business account has a messaging limit: the share of it used in the last
     * 24 hours (recipients / limit, 1.0 when full). Empty from a store that keeps no count.
     */
    default Map<String, Double> messagingLimitUsage(Instant now) {
        return Map.of();
    }

    /**
     * Reserves send positions shared by every dispatcher on this store, once for the batch: for
     * each sending number of {@code wanted} (the batch's messages about to be sent from it), up to
     * that many positions at its {@code perSecond} rate, none later than {@code now + within}. The
     * positions of one number never overlap, whichever instance reserved them, so that the
     * instances together keep its rate. A store that shares pacing answers for every number asked
     * (a count of 0 when none is free in time); the default, empty, shares none: each dispatcher
     * then paces on its own.
     */
    default Map<String, SendSlots> reserveSendSlots(Map<String, Integer> wanted, Map<String, Integer> perSecond,
            Duration within, Instant now) {
        return Map.of();
    }

    /**
     * The store's own periodic work, run by the dispatcher's maintenance after its chores (the JDBC
     * store: the scheduled template sync, when configured). A throw is logged and maintenance goes
     * on. None by default.
     */
    default void runChores(Instant now) {}
}
