package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.SessionWindow;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.AttemptResult;
import io.whatsappoutbox.core.spi.ClaimShare;
import io.whatsappoutbox.core.spi.ClaimedMessage;
import io.whatsappoutbox.core.spi.CompletionReport;
import io.whatsappoutbox.core.spi.DispatchStore;
import io.whatsappoutbox.core.spi.QueueSnapshot;
import io.whatsappoutbox.core.spi.QuotaGrant;
import io.whatsappoutbox.core.spi.ResultsRefusedException;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.jdbc.JdbcOutbox.OutboxStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dispatcher's side of the PostgreSQL store. Internal. */
public final class JdbcDispatchStore implements DispatchStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcDispatchStore.class);
    /** Lanes visited per claim; more lanes than this are served in rotation. */
    static final int MAX_LANES = 512;

    /**
     * How long a lane's mark is trusted. A message that becomes due behind a mark (a host
     * transaction open longer than the lane's lag, a clock behind the others) waits at most this long.
     */
    public static final Duration MARK_LIFETIME = Duration.ofSeconds(1);

    /**
     * How far behind a lane must be for a mark: only a backlog's drain has many claimed entries to
     * skip, and a lane that keeps up would have its own transactions still committing behind a mark.
     */
    public static final Duration MARK_MIN_LAG = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final boolean leasesOnCallersClock;
    private final DataSource dataSource;
    private final PlainStatement claim;
    private final PlainStatement reserveQuota;
    private final PlainStatement releaseQuota;
    private final PlainStatement completeSent;
    private final PlainStatement deadLetterUnreadable;
    private final MessageRows rows;
    private final EnqueueWriter enqueue;
    /** Where the next claim starts its walk of the lanes, so that no lane is always last. */
    private final AtomicReference<String[]> cursor = new AtomicReference<>(new String[] {"", ""});
    /**
     * Per lane, the earliest due time the last full claim took there. The lane's entries before it
     * are rows already claimed: dead, but in the claim index until vacuum, and each claim that reads
     * the lane from its head reads their index pages (in a drain of a million, 2,200 of a claim's
     * 5,600 buffers). The next claim starts at the mark instead.
     */
    private final Map<Lane, LaneMark> marks = new ConcurrentHashMap<>();

    private record Lane(String orgId, String channel) {}

    /** {@code since}: when the lane was last read from its head. */
    private record LaneMark(Instant from, Instant since) {
        boolean trustedAt(Instant now) {
            return !now.isBefore(since) && now.isBefore(since.plus(MARK_LIFETIME));
        }
    }

    /**
     * @param leasesOnCallersClock lease ends and expiry from the {@code now} each call is given
     *     instead of the database's clock (tests that move a clock by hand)
     */
    public JdbcDispatchStore(Jdbi jdbi, DataSource dataSource, MessageRows rows, EnqueueWriter enqueue,
            boolean leasesOnCallersClock) {
        this.leasesOnCallersClock = leasesOnCallersClock;
        this.jdbi = jdbi;
        this.dataSource = dataSource;
        this.claim = new PlainStatement(jdbi, DispatchSql.CLAIM);
        this.reserveQuota = new PlainStatement(jdbi, DispatchSql.RESERVE_QUOTA);
        this.releaseQuota = new PlainStatement(jdbi, DispatchSql.RELEASE_QUOTA);
        this.completeSent = new PlainStatement(jdbi, DispatchSql.COMPLETE_SENT_WITH_ATTEMPTS);
        this.deadLetterUnreadable = new PlainStatement(jdbi, DispatchSql.DEAD_LETTER_UNREADABLE);
        this.rows = rows;
        this.enqueue = enqueue;
    }

    @Override
    public List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now, ClaimShare share) {
        String[] from = cursor.get();
        List<String> markOrgs = new ArrayList<>();
        List<String> markChannels = new ArrayList<>();
        List<String> markFrom = new ArrayList<>();
        for (Map.Entry<Lane, LaneMark> e : marks.entrySet()) {
            if (e.getValue().trustedAt(now)) {
                markOrgs.add(e.getKey().orgId());
                markChannels.add(e.getKey().channel());
                markFrom.add(Times.iso(e.getValue().from()));
            } else {
                marks.remove(e.getKey(), e.getValue());
            }
        }
        int[] laneShare = {0};
        List<ClaimedMessage> claimed = inTransaction("claim", c -> {
            // prepared, not a plain Statement: the driver caches a prepared statement's parse
            try (PreparedStatement settings = c.prepareStatement(DispatchSql.GENERIC_PLAN_ASYNC_COMMIT)) {
                settings.execute();
            }
            try (PlainStatement.Bound q = claim.prepare(c)
                    .set("cursorOrg", from[0])
                    .set("cursorChannel", from[1])
                    .set("maxLanes", MAX_LANES)
                    .set("batch", batchSize)
                    .set("share", share.index())
                    .set("shares", share.count())
                    .set("shareOffset", (int) Math.floorMod(now.getEpochSecond(), (long) share.count()))
                    .set("owner", leaseOwner)
                    .set("leaseFrom", leaseNow(now))
                    .set("leaseMillis", (Object) lease.toMillis())
                    .set("now", now)
                    .array("markOrgs", "text", markOrgs.toArray())
                    .array("markChannels", "text", markChannels.toArray())
                    .array("markFrom", "text", markFrom.toArray());
                    ResultSet rs = q.statement().executeQuery()) {
                List<ClaimedMessage> list = new ArrayList<>(batchSize);
                List<UnreadableRowException> unreadable = new ArrayList<>();
                MessageRows.Reader reader = rows.reader(rs);
                int consentColumn = rs.findColumn("consent_status");
                int windowColumn = rs.findColumn("window_last_inbound_at");
                boolean windowInBinary = Times.sentInBinary(rs, windowColumn);
                int senderColumn = rs.findColumn("sender_id");
                int rateColumn = rs.findColumn("sender_rate");
                int laneShareColumn = rs.findColumn("lane_share");
                while (rs.next()) {
                    if (list.isEmpty()) {
                        // the same for every row
                        laneShare[0] = rs.getInt(laneShareColumn);
                    }
                    OutboundMessage m;
                    try {
                        m = reader.read(rs);
                    } catch (UnreadableRowException e) {
                        unreadable.add(e);
                        continue;
                    }
                    String consent = rs.getString(consentColumn);
                    int rate = rs.getInt(rateColumn);
                    Integer senderRate = rs.wasNull() ? null : rate;
                    list.add(new ClaimedMessage(m, leaseOwner,
                            consent == null ? ConsentStatus.UNKNOWN : ConsentStatus.valueOf(consent),
                            new SessionWindow(Times.instant(rs, windowColumn, windowInBinary)),
                            rs.getString(senderColumn), senderRate));
                }
                if (!unreadable.isEmpty()) {
                    deadLetterUnreadable(c, unreadable, leaseOwner, now);
                }
                return list;
            }
        });
        advanceCursor(from, claimed);
        markLanes(claimed, laneShare[0], now);
        return claimed;
    }

    /**
     * A claimed row this version cannot read costs only itself: it is dead-lettered in the claim's
     * own transaction, so it leaves the head of its lane, and the claim goes on with the others.
     */
    private void deadLetterUnreadable(Connection c, List<UnreadableRowException> unreadable, String leaseOwner,
            Instant now) throws SQLException {
        try (PlainStatement.Bound q = deadLetterUnreadable.prepare(c)
                .array("ids", "bigint", unreadable.stream().map(UnreadableRowException::id).toArray())
                .array("messages", "text", unreadable.stream().map(UnreadableRowException::reason).toArray())
                .set("code", OutboxErrorCodes.UNREADABLE_ROW)
                .set("category", ErrorCategory.BAD_REQUEST.name())
                .set("owner", leaseOwner)
                .set("now", now)) {
            q.statement().executeUpdate();
        }
        for (UnreadableRowException e : unreadable) {
            log.warn("Dead-lettered message {} with {}: {}", e.id(), OutboxErrorCodes.UNREADABLE_ROW, e.reason());
        }
    }

    /**
     * Each lane that gave its whole share of the batch, and whose earliest due time taken there is
     * at least {@link #MARK_MIN_LAG} old, is marked at that time (keeping the time it was last read
     * from its head). A lane that gave less ran out above its mark: the next claim reads it from its
     * head, where a message that became due behind the mark would be; so does a lane that keeps up.
     * A lane that gave nothing keeps its mark until the mark's lifetime ends.
     */
    private void markLanes(List<ClaimedMessage> claimed, int laneShare, Instant now) {
        Map<Lane, Instant> earliest = new HashMap<>();
        Map<Lane, Integer> taken = new HashMap<>();
        for (ClaimedMessage c : claimed) {
            OutboundMessage m = c.message();
            Lane lane = new Lane(m.orgId(), m.channel().name());
            earliest.merge(lane, m.nextAttemptAt(), (a, b) -> a.isBefore(b) ? a : b);
            taken.merge(lane, 1, Integer::sum);
        }
        Instant lagging = now.minus(MARK_MIN_LAG);
        earliest.forEach((lane, from) -> {
            if (taken.get(lane) < laneShare || from.isAfter(lagging)) {
                marks.remove(lane);
            } else {
                marks.merge(lane, new LaneMark(from, now),
                        (old, fresh) -> old.trustedAt(now) ? new LaneMark(from, old.since()) : fresh);
            }
        });
    }

    /**
     * "Now" for lease SQL: null, which the SQL reads as the database's {@code now()}, so that every
     * instance's leases end and expire on one clock; the caller's instant only for tests.
     */
    private Instant leaseNow(Instant given) {
        return leasesOnCallersClock ? given : null;
    }

    /** Work on one connection of the pool, in autocommit: each statement is its own transaction. */
    private <T> T withConnection(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new OutboxStoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /** Work in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T inTransaction(String what, SqlWork<T> work) {
        return withConnection(what, c -> {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                    c.setAutoCommit(true);
                } catch (SQLException cleanUp) {
                    e.addSuppressed(cleanUp);
                }
                throw e;
            }
            c.setAutoCommit(true);
            return result;
        });
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * The walk goes down from the cursor, then wraps from the top: the next claim starts below the
     * lowest lane this one served under the cursor, or below the lowest it served when it served
     * none under the cursor (it wrapped right away), or from the top when it served nothing.
     */
    private void advanceCursor(String[] from, List<ClaimedMessage> claimed) {
        String[] lowestBelow = null;
        String[] lowest = null;
        for (ClaimedMessage c : claimed) {
            String org = c.message().orgId();
            String channel = c.message().channel().name();
            if (lowest == null || compare(org, channel, lowest) < 0) {
                lowest = new String[] {org, channel};
            }
            if (compare(org, channel, from) < 0 && (lowestBelow == null || compare(org, channel, lowestBelow) < 0)) {
                lowestBelow = new String[] {org, channel};
            }
        }
        String[] next = lowestBelow != null ? lowestBelow : lowest != null ? lowest : new String[] {"", ""};
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
        inTransaction("quota reservation", c -> {
            try (PlainStatement.Bound q = reserveQuota.prepare(c)
                    .array("orgs", "text", orgs.toArray())
                    .array("wanted", "integer", counts)
                    .set("now", now);
                    ResultSet rs = q.statement().executeQuery()) {
                while (rs.next()) {
                    int granted = rs.getInt("granted");
                    int asked = rs.getInt("wanted");
                    String org = rs.getString("org_id");
                    grants.put(org, new QuotaGrant(org, granted, granted < asked ? Times.instant(rs, "reset_at") : null));
                }
                return null;
            }
        });
        for (String org : orgs) {
            grants.putIfAbsent(org, new QuotaGrant(org, wanted.get(org), null));
        }
        return grants;
    }

    @Override
    public void releaseQuota(Map<String, Integer> unsent, Instant reservedAt, Instant now) {
        List<String> orgs = unsent.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .sorted().toList();
        if (orgs.isEmpty()) {
            return;
        }
        Integer[] counts = orgs.stream().map(unsent::get).toArray(Integer[]::new);
        inTransaction("quota release", c -> {
            try (PlainStatement.Bound q = releaseQuota.prepare(c)
                    .array("orgs", "text", orgs.toArray())
                    .array("unsent", "integer", counts)
                    .set("reservedAt", reservedAt)
                    .set("now", now)) {
                q.statement().executeUpdate();
                return null;
            }
        });
    }

    @Override
    public CompletionReport complete(List<AttemptResult> results, Instant now) {
        if (results.isEmpty()) {
            return new CompletionReport(0, List.of(), List.of(), List.of());
        }
        try {
            if (results.stream().allMatch(r -> r.outcome() == Outcome.SENT)) {
                // the common case: one statement, one commit
                return withConnection("completion", c -> writeSent(c, results, now));
            }
            return jdbi.inTransaction(h -> write(h, results, now));
        } catch (RuntimeException e) {
            if (refusesTheData(e)) {
                throw new ResultsRefusedException("the database refused the results: " + SafeText.describe(e), e);
            }
            throw e;
        }
    }

    /**
     * Whether PostgreSQL refused what the statement holds, so that the same rows fail again
     * whenever they are written: a data exception (class 22: a character it cannot store, a value
     * out of range), an integrity violation (23), a program limit (54: a value too large to index)
     * or an exception a trigger raised (P0001). Connection, lock and shutdown failures are not.
     */
    static boolean refusesTheData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("54") || state.equals("P0001");
            }
        }
        return false;
    }

    private CompletionReport writeSent(Connection c, List<AttemptResult> sent, Instant now) throws SQLException {
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
        try (PlainStatement.Bound q = completeSent.prepare(c)
                .array("ids", "bigint", ids)
                .array("owners", "text", owners)
                .array("providers", "text", providers)
                .array("pids", "text", pids)
                .array("orgs", "text", orgs)
                .array("attemptNumbers", "integer", attemptNumbers)
                .array("httpStatuses", "integer", httpStatuses)
                .array("startedAt", "text", startedAt)
                .array("durations", "integer", durations)
                .array("sources", "text", Transition.ACCEPT.sourceNames())
                .set("now", now);
                ResultSet rs = q.statement().executeQuery()) {
            int kind = rs.findColumn("kind");
            int id = rs.findColumn("id");
            while (rs.next()) {
                if ("S".equals(rs.getString(kind))) {
                    written.add(rs.getLong(id));
                } else {
                    pending.add(PendingReceipts.fromRow(rs));
                }
            }
        }
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
                .bindByType("leaseNow", leaseNow(now), Instant.class)
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
        List<OutboundMessage> page = new ArrayList<>(limit);
        Instant cursorAt = afterSentAt == null ? sentAfter : afterSentAt;
        long cursorId = afterSentAt == null ? 0L : afterId;
        // a row that cannot be read is passed over, and the page filled from beyond it: a short page
        // means the end to the caller, whose cursor would otherwise go back to the start
        while (page.size() < limit) {
            int want = limit - page.size();
            List<UndeliveredRow> read = readUndelivered(sentAfter, sentBefore, cursorAt, cursorId, want);
            for (UndeliveredRow r : read) {
                if (r.message() != null) {
                    page.add(r.message());
                }
            }
            if (read.size() < want) {
                break;
            }
            UndeliveredRow last = read.get(read.size() - 1);
            cursorAt = last.sentAt();
            cursorId = last.id();
        }
        return page;
    }

    /** {@code message} is null when the row cannot be read. */
    private record UndeliveredRow(Instant sentAt, long id, OutboundMessage message) {}

    private List<UndeliveredRow> readUndelivered(Instant sentAfter, Instant sentBefore,
            Instant cursorAt, long cursorId, int limit) {
        return jdbi.withHandle(h -> h.createQuery(DispatchSql.UNDELIVERED)
                .bind("after", sentAfter)
                .bind("before", sentBefore)
                .bind("cursorAt", cursorAt)
                .bind("cursorId", cursorId)
                .bind("limit", limit)
                .map((rs, ctx) -> new UndeliveredRow(Times.instant(rs, "sent_at"), rs.getLong("id"),
                        rows.mapOrSkip(rs, "no-delivery fallback scan")))
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
                .bindByType("leaseNow", leaseNow(now), Instant.class)
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
