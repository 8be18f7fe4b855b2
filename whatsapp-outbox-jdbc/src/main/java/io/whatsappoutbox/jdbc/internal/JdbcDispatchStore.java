package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.MessageStateMachine.Transition;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.SessionWindow;
import io.whatsappoutbox.core.spi.AttemptResult;
import io.whatsappoutbox.core.spi.ClaimShare;
import io.whatsappoutbox.core.spi.ClaimedMessage;
import io.whatsappoutbox.core.spi.CompletionReport;
import io.whatsappoutbox.core.spi.DispatchStore;
import io.whatsappoutbox.core.spi.QueueSnapshot;
import io.whatsappoutbox.core.spi.QuotaGrant;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dispatcher's side of the PostgreSQL store. Internal. */
public final class JdbcDispatchStore implements DispatchStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcDispatchStore.class);
    /** Lanes visited per claim; more lanes than this are served in rotation. */
    static final int MAX_LANES = 512;

    private final Jdbi jdbi;
    private final MessageRows rows;
    private final EnqueueWriter enqueue;
    /** Where the next claim starts its walk of the lanes, so that no lane is always last. */
    private final AtomicReference<String[]> cursor = new AtomicReference<>(new String[] {"", ""});

    public JdbcDispatchStore(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue) {
        this.jdbi = jdbi;
        this.rows = rows;
        this.enqueue = enqueue;
    }

    @Override
    public List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now, ClaimShare share) {
        String[] from = cursor.get();
        List<ClaimedMessage> claimed = jdbi.inTransaction(h -> {
            h.createQuery(DispatchSql.GENERIC_PLAN_ASYNC_COMMIT).mapTo(String.class).one();
            return h.createQuery(DispatchSql.CLAIM)
                .bind("cursorOrg", from[0])
                .bind("cursorChannel", from[1])
                .bind("maxLanes", MAX_LANES)
                .bind("batch", batchSize)
                .bind("share", share.index())
                .bind("shares", share.count())
                .bind("shareOffset", (int) Math.floorMod(now.getEpochSecond(), (long) share.count()))
                .bind("owner", leaseOwner)
                .bind("leaseUntil", now.plus(lease))
                .bind("now", now)
                .map((rs, ctx) -> {
                    OutboundMessage m = rows.map(rs);
                    String consent = rs.getString("consent_status");
                    int rate = rs.getInt("sender_rate");
                    Integer senderRate = rs.wasNull() ? null : rate;
                    return new ClaimedMessage(m, leaseOwner,
                            consent == null ? ConsentStatus.UNKNOWN : ConsentStatus.valueOf(consent),
                            new SessionWindow(Times.instant(rs, "window_last_inbound_at")),
                            rs.getString("sender_id"), senderRate);
                })
                .list();
        });
        advanceCursor(from, claimed);
        return claimed;
    }

    /** Next claim starts after the furthest lane served, or from the start when nothing was. */
    private void advanceCursor(String[] from, List<ClaimedMessage> claimed) {
        String[] next = {"", ""};
        for (ClaimedMessage c : claimed) {
            String org = c.message().orgId();
            String channel = c.message().channel().name();
            boolean afterCursor = compare(org, channel, from) > 0;
            // lanes after the cursor were visited first; prefer the furthest of those
            if (next[0].isEmpty() || (afterCursor && (compare(org, channel, next) > 0 || compare(next[0], next[1], from) <= 0))) {
                next = new String[] {org, channel};
            }
        }
        cursor.compareAndSet(from, next);
    }

    private static int compare(String org, String channel, String[] lane) {
        int c = org.compareTo(lane[0]);
        return c != 0 ? c : channel.compareTo(lane[1]);
    }

    @Override
    public Map<String, QuotaGrant> reserveQuota(Map<String, Integer> wanted, Instant now) {
        if (wanted.isEmpty()) {
            return Map.of();
        }
        List<String> orgs = new ArrayList<>(wanted.keySet());
        orgs.sort(null);
        Integer[] counts = orgs.stream().map(wanted::get).toArray(Integer[]::new);
        Map<String, QuotaGrant> grants = new HashMap<>();
        jdbi.useTransaction(h -> h.createQuery(DispatchSql.RESERVE_QUOTA)
                .bindArray("orgs", String.class, orgs)
                .bindArray("wanted", Integer.class, (Object[]) counts)
                .bind("now", now)
                .map((rs, ctx) -> {
                    int granted = rs.getInt("granted");
                    int asked = rs.getInt("wanted");
                    return new QuotaGrant(rs.getString("org_id"), granted,
                            granted < asked ? Times.instant(rs, "reset_at") : null);
                })
                .forEach(g -> grants.put(g.orgId(), g)));
        for (String org : orgs) {
            grants.putIfAbsent(org, new QuotaGrant(org, wanted.get(org), null));
        }
        return grants;
    }

    @Override
    public CompletionReport complete(List<AttemptResult> results, Instant now) {
        if (results.isEmpty()) {
            return new CompletionReport(0, List.of(), List.of(), List.of());
        }
        if (results.stream().allMatch(r -> r.outcome() == Outcome.SENT)) {
            // the common case: one statement, one commit
            return jdbi.withHandle(h -> writeSent(h, results, now));
        }
        return jdbi.inTransaction(h -> write(h, results, now));
    }

    private CompletionReport writeSent(Handle h, List<AttemptResult> sent, Instant now) {
        Set<Long> written = new HashSet<>();
        List<DeliveryReceipt> pending = new ArrayList<>();
        int n = sent.size();
        Long[] ids = new Long[n];
        String[] owners = new String[n];
        String[] providers = new String[n];
        String[] pids = new String[n];
        String[] orgs = new String[n];
        Integer[] attemptNumbers = new Integer[n];
        Integer[] httpStatuses = new Integer[n];
        String[] startedAt = new String[n];
        Integer[] durations = new Integer[n];
        for (int i = 0; i < n; i++) {
            AttemptResult r = sent.get(i);
            ids[i] = r.messageId();
            owners[i] = r.leaseOwner();
            providers[i] = r.provider();
            pids[i] = r.providerMessageId();
            orgs[i] = r.message().orgId();
            attemptNumbers[i] = r.message().attemptCount();
            httpStatuses[i] = r.httpStatus() == 0 ? null : r.httpStatus();
            startedAt[i] = Times.iso(r.startedAt());
            durations[i] = (int) Math.min(Integer.MAX_VALUE, r.duration().toMillis());
        }
        h.createQuery(DispatchSql.COMPLETE_SENT_WITH_ATTEMPTS)
                .bindArray("ids", Long.class, (Object[]) ids)
                .bindArray("owners", String.class, (Object[]) owners)
                .bindArray("providers", String.class, (Object[]) providers)
                .bindArray("pids", String.class, (Object[]) pids)
                .bindArray("orgs", String.class, (Object[]) orgs)
                .bindArray("attemptNumbers", Integer.class, (Object[]) attemptNumbers)
                .bindArray("httpStatuses", Integer.class, (Object[]) httpStatuses)
                .bindArray("startedAt", String.class, (Object[]) startedAt)
                .bindArray("durations", Integer.class, (Object[]) durations)
                .bindArray("sources", String.class, (Object[]) Transition.ACCEPT.sourceNames())
                .bind("now", now)
                .map((rs, ctx) -> {
                    if ("S".equals(rs.getString("kind"))) {
                        written.add(rs.getLong("id"));
                    } else {
                        pending.add(PendingReceipts.fromRow(rs));
                    }
                    return null;
                })
                .list();
        List<Long> refused = sent.stream().map(AttemptResult::messageId).filter(id -> !written.contains(id)).toList();
        if (!refused.isEmpty()) {
            log.warn("Lease lost before the result was written for {} message(s) {}: another dispatcher recovered them;"
                    + " their attempt rows are kept", refused.size(), refused);
        }
        return new CompletionReport(written.size(), refused, List.of(), pending);
    }

    private CompletionReport write(Handle h, List<AttemptResult> results, Instant now) {
        List<AttemptResult> sent = new ArrayList<>();
        List<AttemptResult> rescheduled = new ArrayList<>();
        List<AttemptResult> dead = new ArrayList<>();
        for (AttemptResult r : results) {
            switch (r.outcome()) {
                case SENT -> sent.add(r);
                case RETRY, DEFERRED -> rescheduled.add(r);
                case DEAD_LETTER, BLOCKED -> dead.add(r);
            }
        }
        Set<Long> written = new HashSet<>();
        List<DeliveryReceipt> pending = new ArrayList<>();
        if (!sent.isEmpty()) {
            h.createQuery(DispatchSql.COMPLETE_SENT)
                    .bindArray("ids", Long.class, sent.stream().map(AttemptResult::messageId).toList())
                    .bindArray("owners", String.class, sent.stream().map(AttemptResult::leaseOwner).toList())
                    .bindArray("providers", String.class, sent.stream().map(AttemptResult::provider).toList())
                    .bindArray("pids", String.class, sent.stream().map(AttemptResult::providerMessageId).toList())
                    .bindArray("sources", String.class, (Object[]) Transition.ACCEPT.sourceNames())
                    .bind("now", now)
                    .map((rs, ctx) -> {
                        if ("S".equals(rs.getString("kind"))) {
                            written.add(rs.getLong("id"));
                        } else {
                            pending.add(PendingReceipts.fromRow(rs));
                        }
                        return null;
                    })
                    .list();
        }
        if (!rescheduled.isEmpty()) {
            h.createQuery(DispatchSql.COMPLETE_RESCHEDULE)
                    .bindArray("ids", Long.class, rescheduled.stream().map(AttemptResult::messageId).toList())
                    .bindArray("owners", String.class, rescheduled.stream().map(AttemptResult::leaseOwner).toList())
                    .bindArray("nextAt", String.class, rescheduled.stream().map(r -> Times.iso(r.nextAttemptAt())).toList())
                    .bindArray("spent", Boolean.class, rescheduled.stream().map(AttemptResult::spendsAttempt).toList())
                    .bindArray("codes", String.class, rescheduled.stream().map(r -> r.error().code()).toList())
                    .bindArray("messages", String.class, rescheduled.stream().map(r -> r.error().message()).toList())
                    .bindArray("categories", String.class, rescheduled.stream().map(r -> r.error().category().name()).toList())
                    .bindArray("sources", String.class, (Object[]) Transition.RESCHEDULE.sourceNames())
                    .bind("now", now)
                    .mapTo(Long.class)
                    .forEach(written::add);
        }
        List<Long> fallbacks = new ArrayList<>();
        if (!dead.isEmpty()) {
            Set<Long> failed = new HashSet<>(h.createQuery(DispatchSql.COMPLETE_DEAD_LETTER)
                    .bindArray("ids", Long.class, dead.stream().map(AttemptResult::messageId).toList())
                    .bindArray("owners", String.class, dead.stream().map(AttemptResult::leaseOwner).toList())
                    .bindArray("codes", String.class, dead.stream().map(r -> r.error().code()).toList())
                    .bindArray("messages", String.class, dead.stream().map(r -> r.error().message()).toList())
                    .bindArray("categories", String.class, dead.stream().map(r -> r.error().category().name()).toList())
                    .bindArray("sources", String.class, (Object[]) Transition.DEAD_LETTER.sourceNames())
                    .bind("now", now)
                    .mapTo(Long.class)
                    .list());
            written.addAll(failed);
            List<OutboundMessageRequest> toCreate = dead.stream()
                    .filter(r -> r.fallback() != null && failed.contains(r.messageId()))
                    .map(AttemptResult::fallback).toList();
            fallbacks.addAll(createFallbacks(h, toCreate));
        }
        insertAttempts(h, results);
        List<AttemptResult> revoke = results.stream()
                .filter(r -> r.revokeConsent() && written.contains(r.messageId())).toList();
        JdbcConsents.revokeAll(h, revoke.stream().map(r -> JdbcConsents.Key.of(r.message())).toList(),
                "provider opt-out: " + revoke.stream().map(r -> r.error().code()).distinct().toList(), now);
        Map<String, Instant> throttles = new LinkedHashMap<>();
        for (AttemptResult r : results) {
            if (r.throttleOrgUntil() != null && r.message().channel() == Channel.WHATSAPP) {
                throttles.merge(r.message().orgId(), r.throttleOrgUntil(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        throttleWhatsApp(h, throttles, now);
        List<Long> refused = results.stream().map(AttemptResult::messageId).filter(id -> !written.contains(id)).toList();
        if (!refused.isEmpty()) {
            log.warn("Lease lost before the result was written for {} message(s) {}: another dispatcher recovered them;"
                    + " their attempt rows are kept", refused.size(), refused);
        }
        return new CompletionReport(written.size(), refused, fallbacks, pending);
    }

    private List<Long> createFallbacks(Handle h, List<OutboundMessageRequest> requests) {
        return enqueue.enqueueUnchecked(h.getConnection(), requests).stream()
                .filter(e -> e.created()).map(e -> e.message().id()).toList();
    }

    private static void insertAttempts(Handle h, List<AttemptResult> results) {
        List<AttemptResult> rows = results.stream().filter(AttemptResult::recordAttempt).toList();
        if (rows.isEmpty()) {
            return;
        }
        h.createUpdate(DispatchSql.INSERT_ATTEMPTS)
                .bindArray("messageIds", Long.class, rows.stream().map(AttemptResult::messageId).toList())
                .bindArray("orgs", String.class, rows.stream().map(r -> r.message().orgId()).toList())
                .bindArray("attemptNumbers", Integer.class, rows.stream().map(r -> r.message().attemptCount()).toList())
                .bindArray("providers", String.class, rows.stream().map(AttemptResult::provider).toList())
                .bindArray("outcomes", String.class, rows.stream().map(r -> r.outcome().name()).toList())
                .bindArray("codes", String.class, rows.stream().map(r -> r.error() == null ? null : r.error().code()).toList())
                .bindArray("messages", String.class, rows.stream().map(r -> r.error() == null ? null : r.error().message()).toList())
                .bindArray("categories", String.class,
                        rows.stream().map(r -> r.error() == null ? null : r.error().category().name()).toList())
                .bindArray("httpStatuses", Integer.class,
                        rows.stream().map(r -> r.httpStatus() == 0 ? null : r.httpStatus()).toList())
                .bindArray("pids", String.class, rows.stream().map(AttemptResult::providerMessageId).toList())
                .bindArray("owners", String.class, rows.stream().map(AttemptResult::leaseOwner).toList())
                .bindArray("startedAt", String.class, rows.stream().map(r -> Times.iso(r.startedAt())).toList())
                .bindArray("durations", Integer.class,
                        rows.stream().map(r -> (int) Math.min(Integer.MAX_VALUE, r.duration().toMillis())).toList())
                .bindArray("nextAt", String.class, rows.stream().map(r -> Times.iso(r.nextAttemptAt())).toList())
                .execute();
    }

    private static void throttleWhatsApp(Handle h, Map<String, Instant> until, Instant now) {
        if (until.isEmpty()) {
            return;
        }
        h.createUpdate(DispatchSql.THROTTLE_WHATSAPP)
                .bindArray("orgs", String.class, new ArrayList<>(until.keySet()))
                .bindArray("until", String.class, until.values().stream().map(Times::iso).toList())
                .bind("now", now)
                .execute();
    }

    @Override
    public int recoverExpiredLeases(Instant now, int limit) {
        List<String> statuses = jdbi.withHandle(h -> h.createQuery(DispatchSql.RECOVER_LEASES)
                .bind("now", now)
                .bind("limit", limit)
                .bind("actor", "lease-recovery")
                .map((rs, ctx) -> rs.getString("status"))
                .list());
        if (!statuses.isEmpty()) {
            long failed = statuses.stream().filter("FAILED"::equals).count();
            log.warn("Recovered {} message(s) whose lease expired ({} back to the queue, {} dead-lettered with"
                    + " attempts used up)", statuses.size(), statuses.size() - failed, failed);
        }
        return statuses.size();
    }

    @Override
    public void throttle(String orgId, Channel channel, Instant until, Instant now) {
        if (channel == Channel.WHATSAPP) {
            jdbi.useHandle(h -> throttleWhatsApp(h, Map.of(orgId, until), now));
        }
    }

    @Override
    public List<OutboundMessage> undelivered(Instant sentAfter, Instant sentBefore, Instant afterSentAt, long afterId,
            int limit) {
        return jdbi.withHandle(h -> h.createQuery(DispatchSql.UNDELIVERED)
                .bind("after", sentAfter)
                .bind("before", sentBefore)
                .bind("cursorAt", afterSentAt == null ? sentAfter : afterSentAt)
                .bind("cursorId", afterSentAt == null ? 0L : afterId)
                .bind("limit", limit)
                .map((rs, ctx) -> rows.map(rs))
                .list());
    }

    @Override
    public List<Long> createFallbacks(List<OutboundMessageRequest> fallbacks) {
        if (fallbacks.isEmpty()) {
            return List.of();
        }
        return jdbi.inTransaction(h -> createFallbacks(h, fallbacks));
    }

    @Override
    public QueueSnapshot snapshot(Instant now, Duration stuckQueuedAfter) {
        return jdbi.withHandle(h -> h.createQuery(DispatchSql.SNAPSHOT)
                .bind("now", now)
                .bind("stuckBefore", now.minus(stuckQueuedAfter))
                .map((rs, ctx) -> {
                    Map<Channel, Long> dlq = new EnumMap<>(Channel.class);
                    dlq.put(Channel.WHATSAPP, rs.getLong("dlq_whatsapp"));
                    dlq.put(Channel.SMS, rs.getLong("dlq_sms"));
                    return new QueueSnapshot(now, rs.getLong("queued"), rs.getLong("sending"), dlq,
                            rs.getLong("stuck_queued"), rs.getLong("stuck_sending"));
                })
                .one());
    }
}
