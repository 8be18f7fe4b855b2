package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.Priority;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QueueSnapshot;
import io.whatsappoutbox.core.store.QuotaGrant;
import io.whatsappoutbox.core.store.SendSlots;
import io.whatsappoutbox.core.store.SendingHolds;
import io.whatsappoutbox.core.store.SessionWindow;
import io.whatsappoutbox.core.store.WebhookDecisions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's side of the PostgreSQL store: the claim, quota, lease recovery, the gauges and
 * the no-delivery sweep; the results are written by {@link CompletionWriter}, the lanes' rotation
 * and marks kept by {@link LaneCursor} and {@link LaneMarks}. Internal.
 */
public final class JdbcDispatchStore implements DispatchStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcDispatchStore.class);
    /** Lanes visited per claim; more lanes than this are served in rotation. */
    static final int MAX_LANES = 512;
    /** How long a lane's mark is trusted: {@link LaneMarks#MARK_LIFETIME}. */
    public static final Duration MARK_LIFETIME = LaneMarks.MARK_LIFETIME;
    /** How far behind a lane must be for a mark: {@link LaneMarks#MARK_MIN_LAG}. */
    public static final Duration MARK_MIN_LAG = LaneMarks.MARK_MIN_LAG;

    private final Jdbi jdbi;
    private final boolean leasesOnCallersClock;
    private final PlainStatement claim;
    private final PlainStatement reserveQuota;
    private final PlainStatement releaseQuota;
    private final PlainStatement deadLetterUnreadable;
    private final MessageRows rows;
    private final CompletionWriter completion;
    private final LaneCursor cursor = new LaneCursor();
    private final LaneMarks marks = new LaneMarks();
    private final MessagingLimits messagingLimits;
    /** Null: no scheduled template sync. */
    private final TemplateSyncSchedule templateSync;
    private final RetentionSchedule retention;
    /** Null when each dispatcher paces on its own. */
    private final SharedPacing sharedPacing;

    /**
     * @param leasesOnCallersClock lease ends and expiry from the {@code now} each call is given
     *     instead of the database's clock (tests that move a clock by hand)
     */
    public JdbcDispatchStore(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue, boolean leasesOnCallersClock) {
        this(jdbi, rows, enqueue, leasesOnCallersClock, new MessagingLimits(jdbi, null), null, null, null);
    }

    /**
     * @param messagingLimits the count of recipients per business account against Meta's messaging limits
     * @param templateSync the scheduled template sync run by {@link #runChores}, or null for none
     * @param retention the scheduled retention run by {@link #runChores}, or null for none
     * @param sharedPacing the send positions shared by every instance, or null to let each pace on its own
     */
    public JdbcDispatchStore(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue, boolean leasesOnCallersClock,
            MessagingLimits messagingLimits, TemplateSyncSchedule templateSync, RetentionSchedule retention,
            SharedPacing sharedPacing) {
        this.sharedPacing = sharedPacing;
        this.messagingLimits = messagingLimits;
        this.templateSync = templateSync;
        this.retention = retention;
        this.leasesOnCallersClock = leasesOnCallersClock;
        this.jdbi = jdbi;
        this.claim = new PlainStatement(jdbi, DispatchSql.CLAIM);
        this.reserveQuota = new PlainStatement(jdbi, DispatchSql.RESERVE_QUOTA);
        this.releaseQuota = new PlainStatement(jdbi, DispatchSql.RELEASE_QUOTA);
        this.deadLetterUnreadable = new PlainStatement(jdbi, DispatchSql.DEAD_LETTER_UNREADABLE);
        this.rows = rows;
        this.completion = new CompletionWriter(jdbi, rows, enqueue);
    }

    @Override
    public List<ClaimedMessage> claim(String leaseOwner, int batchSize, Duration lease, Instant now, ClaimShare share) {
        Lane from = cursor.from();
        LaneMarks.Trusted trusted = marks.trustedAt(now);
        int[] laneShare = {0};
        List<ClaimedMessage> claimed = StoreWork.inTransaction(jdbi, "claim", h -> {
            Connection c = h.getConnection();
            // prepared, not a plain Statement: the driver caches a prepared statement's parse
            try (PreparedStatement settings = c.prepareStatement(DispatchSql.GENERIC_PLAN_ASYNC_COMMIT)) {
                settings.execute();
            }
            try (PlainStatement.Bound q = claim.prepare(c)
                    .set("cursorOrg", from.orgId())
                    .set("cursorChannel", from.channel())
                    .set("maxLanes", MAX_LANES)
                    .set("batch", batchSize)
                    .set("share", share.index())
                    .set("shares", share.count())
                    .set("shareOffset", (int) Math.floorMod(now.getEpochSecond(), (long) share.count()))
                    .set("owner", leaseOwner)
                    .set("leaseFrom", leaseNow(now))
                    .set("leaseMillis", (Object) lease.toMillis())
                    .set("now", now)
                    .array("markOrgs", "text", trusted.orgs().toArray())
                    .array("markChannels", "text", trusted.channels().toArray())
                    .array("markFrom", "text", trusted.from().stream().map(Times::iso).toArray());
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
        List<LaneMarks.Taken> taken = new ArrayList<>(claimed.size());
        List<Lane> lanes = new ArrayList<>(claimed.size());
        for (ClaimedMessage c : claimed) {
            OutboundMessage m = c.message();
            Lane lane = new Lane(m.orgId(), m.channel().name());
            lanes.add(lane);
            // only the claim index's scan (NORMAL) reads from a mark: HIGH and LOW have their own
            if (m.priority() == Priority.NORMAL) {
                taken.add(new LaneMarks.Taken(lane, m.nextAttemptAt()));
            }
        }
        cursor.advance(from, lanes);
        marks.afterClaim(taken, laneShare[0], now);
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
                .set("target", Transition.DEAD_LETTER.target().name())
                .array("sources", "text", Transition.DEAD_LETTER.sourceNames())
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
     * "Now" for lease SQL: null, which the SQL reads as the database's {@code now()}, so that every
     * instance's leases end and expire on one clock; the caller's instant only for tests.
     */
    private Instant leaseNow(Instant given) {
        return leasesOnCallersClock ? given : null;
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
        StoreWork.inTransaction(jdbi, "quota reservation", h -> {
            try (PlainStatement.Bound q = reserveQuota.prepare(h.getConnection())
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
        StoreWork.inTransaction(jdbi, "quota release", h -> {
            try (PlainStatement.Bound q = releaseQuota.prepare(h.getConnection())
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
    public CompletionReport complete(List<AttemptResult> results, WebhookDecisions decisions, Instant now) {
        return completion.complete(results, decisions, now);
    }

    @Override
    public Map<Channel, Integer> expireOverdue(Instant now, int limit) {
        List<String> channels = jdbi.withHandle(h -> h.createQuery(DispatchSql.EXPIRE_OVERDUE)
                .bind("target", Transition.EXPIRE.target().name())
                .bindArray("sources", String.class, Transition.EXPIRE.sources().stream().map(Enum::name).toList())
                .bind("code", OutboxErrorCodes.EXPIRED)
                .bind("category", ErrorCategory.EXPIRED.name())
                .bind("now", now)
                .bind("limit", limit)
                .mapTo(String.class)
                .list());
        Map<Channel, Integer> expired = new EnumMap<>(Channel.class);
        channels.forEach(c -> expired.merge(Channel.valueOf(c), 1, Integer::sum));
        return expired;
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
            jdbi.useHandle(h -> CompletionWriter.throttleWhatsApp(h, Map.of(orgId, until), now));
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
        return jdbi.inTransaction(h -> completion.createFallbacks(h, fallbacks));
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

    @Override
    public SendingHolds sendingHolds(Instant now) {
        // once per maintenance run: whether any account is limited now (a tier Meta just reported)
        messagingLimits.refresh(now);
        return jdbi.withHandle(h -> {
            SendingHolds meta = LifecycleWrites.holds(h, now);
            return new SendingHolds(meta.templates(), meta.marketing(), SendingHoursOps.all(h));
        });
    }

    @Override
    public Map<String, Double> messagingLimitUsage(Instant now) {
        return messagingLimits.ratioByOrg(now);
    }

    @Override
    public Map<Long, Instant> reserveRecipients(List<ClaimedMessage> messages, Instant now) {
        return messagingLimits.reserve(messages, now);
    }

    @Override
    public void runChores(Instant now) {
        if (templateSync != null) {
            templateSync.runIfDue(now);
        }
        if (retention != null) {
            retention.runIfDue(now);
        }
    }

    @Override
    public Map<String, SendSlots> reserveSendSlots(Map<String, Integer> wanted, Map<String, Integer> perSecond,
            Duration within, Instant now) {
        return sharedPacing == null ? Map.of() : sharedPacing.reserve(wanted, perSecond, within, now);
    }
}
