package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.jdbc.ops.MessagingLimitUsage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Meta's messaging limits: the unique recipients of templates sent outside a session window, per
 * business account (portfolio) and rolling 24 hours, counted in {@code whatsapp_messaging_window}.
 *
 * <p>Counted when a batch's templates are let go, not when their sends complete: the decision and
 * the count are then one reservation per batch (a lock statement and the reservation, in one
 * transaction, only for batches with templates and only while a limit is known), and concurrent
 * batches of one account cannot both take its last place. A recipient counted whose send then
 * fails stays counted for the window: the count errs on Meta's side. The limit is the tier Meta
 * last reported for the account ({@code whatsapp_number_state}, newest row), else the store's
 * default ({@code JdbcOutbox.Builder.defaultMessagingLimit}), else none. Internal.
 */
public final class MessagingLimits {
    /** Meta's window. */
    public static final Duration WINDOW = Duration.ofHours(24);

    /** The account of an org: its business account, or the org itself. */
    static final String ACCOUNT = "coalesce(pc.business_account_id, 'org:' || m.org_id)";

    /** A tier's number of recipients; NULL for unlimited and for what is not a tier (the default applies). */
    static final String TIER_LIMIT = """
            CASE %1$s WHEN 'TIER_50' THEN 50 WHEN 'TIER_250' THEN 250 WHEN 'TIER_1K' THEN 1000
                      WHEN 'TIER_2K' THEN 2000 WHEN 'TIER_10K' THEN 10000 WHEN 'TIER_100K' THEN 100000 END""";

    /** The limit of an account given its newest tier: the tier's, none when unlimited, else the default. */
    static final String LIMIT = "CASE WHEN %1$s = 'TIER_UNLIMITED' THEN NULL ELSE coalesce(" + TIER_LIMIT
            + ", :defaultLimit::int) END";

    static final String NEWEST_TIER = """
            (SELECT s.messaging_limit FROM whatsapp_number_state s
              WHERE s.business_account_id = %1$s AND s.messaging_limit IS NOT NULL
              ORDER BY s.updated_at DESC LIMIT 1)""";

    /**
     * Serialises the reservations of the batch's accounts until the transaction ends, in one order
     * (no deadlock between batches): the reservation that follows runs on a snapshot taken after
     * the lock, so it sees every place another batch took.
     */
    static final String LOCK = """
            SELECT count(pg_advisory_xact_lock(x.k))
              FROM (SELECT DISTINCT hashtextextended('whatsapp_messaging_window:' || %s, 0) AS k
                      FROM unnest(:ids::bigint[]) AS u(id)
                      JOIN outbound_message m ON m.id = u.id
                      LEFT JOIN whatsapp_provider_config pc ON pc.org_id = m.org_id
                     ORDER BY 1) x""".formatted(ACCOUNT);

    /**
     * Takes a place in the window for each new recipient while the account has some (in the
     * batch's order), renews none of the counted ones, and returns the messages refused with the
     * instant the window's oldest entry expires. A template to a recipient whose session window is
     * open is free (a service conversation) and neither counted nor refused.
     */
    static final String RESERVE = """
            WITH batch AS (
                SELECT u.id, u.ord, m.to_recipient AS recipient, %1$s AS account
                  FROM unnest(:ids::bigint[]) WITH ORDINALITY AS u(id, ord)
                  JOIN outbound_message m ON m.id = u.id
                  LEFT JOIN whatsapp_provider_config pc ON pc.org_id = m.org_id
                 WHERE NOT EXISTS (SELECT 1 FROM whatsapp_session_window w
                                    WHERE w.org_id = m.org_id AND w.phone_number = m.to_recipient
                                      AND w.last_inbound_at > :since)
            ),
            limits AS (
                SELECT a.account, %2$s AS lim,
                       (SELECT count(*) FROM whatsapp_messaging_window w
                         WHERE w.account = a.account AND w.first_sent_at > :since) AS used,
                       (SELECT min(w.first_sent_at) FROM whatsapp_messaging_window w
                         WHERE w.account = a.account AND w.first_sent_at > :since) AS oldest
                  FROM (SELECT DISTINCT b.account, %3$s AS tier FROM batch b) a
            ),
            newcomers AS (
                SELECT b.account, b.recipient, min(b.ord) AS ord
                  FROM batch b
                  JOIN limits l ON l.account = b.account AND l.lim IS NOT NULL
                 WHERE NOT EXISTS (SELECT 1 FROM whatsapp_messaging_window w
                                    WHERE w.account = b.account AND w.phone_number = b.recipient
                                      AND w.first_sent_at > :since)
                 GROUP BY b.account, b.recipient
            ),
            ranked AS (
                SELECT n.account, n.recipient,
                       l.used + row_number() OVER (PARTITION BY n.account ORDER BY n.ord) <= l.lim AS admitted
                  FROM newcomers n
                  JOIN limits l ON l.account = n.account
            ),
            counted AS (
                INSERT INTO whatsapp_messaging_window (account, phone_number, first_sent_at)
                SELECT r.account, r.recipient, :now FROM ranked r WHERE r.admitted
                ON CONFLICT (account, phone_number) DO UPDATE SET first_sent_at = EXCLUDED.first_sent_at
                RETURNING 1
            )
            SELECT b.id, coalesce(l.oldest, :now::timestamptz) + interval '24 hours' AS frees_at,
                   (SELECT count(*) FROM counted) AS counted
              FROM batch b
              JOIN ranked r ON r.account = b.account AND r.recipient = b.recipient AND NOT r.admitted
              JOIN limits l ON l.account = b.account""".formatted(ACCOUNT, LIMIT.formatted("a.tier"),
            NEWEST_TIER.formatted("b.account"));

    /** Whether any account may be limited: a default, or a limited tier reported. */
    static final String ANY_LIMIT = """
            SELECT :defaultLimit::int IS NOT NULL
                OR EXISTS (SELECT 1 FROM whatsapp_number_state s
                            WHERE s.messaging_limit IS NOT NULL AND s.messaging_limit <> 'TIER_UNLIMITED')""";

    /** Entries out of every window. */
    static final String FORGET = """
            DELETE FROM whatsapp_messaging_window
             WHERE ctid = ANY(ARRAY(SELECT ctid FROM whatsapp_messaging_window WHERE first_sent_at <= :since LIMIT :limit))""";

    /**
     * Each account of an org in scope (all when {@code :orgs} is null) with its orgs, recipients in
     * the window and limit (null: none).
     */
    static final String USAGE = """
            WITH accounts AS (
                SELECT coalesce(pc.business_account_id, 'org:' || o.org_id) AS account, o.org_id
                  FROM (SELECT org_id FROM whatsapp_provider_config
                        UNION SELECT DISTINCT substr(account, 5) FROM whatsapp_messaging_window WHERE account LIKE 'org:%%') o
                  LEFT JOIN whatsapp_provider_config pc ON pc.org_id = o.org_id
                 WHERE :orgs::text[] IS NULL OR o.org_id = ANY(:orgs::text[])
            )
            SELECT a.account, string_agg(a.org_id, ',' ORDER BY a.org_id) AS orgs,
                   (SELECT count(*) FROM whatsapp_messaging_window w
                     WHERE w.account = a.account AND w.first_sent_at > :since) AS used,
                   %1$s AS tier, %2$s AS lim
              FROM accounts a
             GROUP BY a.account
             ORDER BY a.account""".formatted(NEWEST_TIER.formatted("a.account"),
            LIMIT.formatted(NEWEST_TIER.formatted("a.account")));

    private final Jdbi jdbi;
    private final Integer defaultLimit;
    private final PlainStatement lock;
    private final PlainStatement reserve;
    /** Null until first read; refreshed by {@link #refresh}. */
    private volatile Boolean anyLimit;

    public MessagingLimits(Jdbi jdbi, Integer defaultLimit) {
        this.jdbi = jdbi;
        this.defaultLimit = defaultLimit;
        this.lock = new PlainStatement(jdbi, LOCK);
        this.reserve = new PlainStatement(jdbi, RESERVE);
    }

    /**
     * The messages refused, with when their account's window frees a place. No statement at all
     * while no account can be limited.
     */
    Map<Long, Instant> reserve(List<ClaimedMessage> messages, Instant now) {
        Boolean known = anyLimit;
        if (known == null) {
            known = refresh(now);
        }
        if (!known) {
            return Map.of();
        }
        List<Long> templates = new ArrayList<>();
        for (ClaimedMessage c : messages) {
            OutboundMessage m = c.message();
            if (m.channel() == Channel.WHATSAPP && m.content().withoutContext().type() == ContentType.TEMPLATE) {
                templates.add(m.id());
            }
        }
        if (templates.isEmpty()) {
            return Map.of();
        }
        Object[] ids = templates.toArray();
        Instant since = now.minus(WINDOW);
        return StoreWork.inTransaction(jdbi, "messaging limit reservation", h -> {
            Connection c = h.getConnection();
            try (PlainStatement.Bound q = lock.prepare(c).array("ids", "bigint", ids);
                    ResultSet rs = q.statement().executeQuery()) {
                rs.next();
            }
            Map<Long, Instant> refused = new HashMap<>();
            try (PlainStatement.Bound q = reserve.prepare(c)
                    .array("ids", "bigint", ids)
                    .set("since", since)
                    .set("now", now)
                    .set("defaultLimit", defaultLimit);
                    ResultSet rs = q.statement().executeQuery()) {
                while (rs.next()) {
                    refused.put(rs.getLong("id"), Times.instant(rs, "frees_at"));
                }
            }
            return refused;
        });
    }

    /** Reads again whether any account can be limited, and forgets expired entries (maintenance). */
    boolean refresh(Instant now) {
        boolean known = jdbi.withHandle(h -> {
            h.createUpdate(FORGET).bind("since", now.minus(WINDOW)).bind("limit", 10_000).execute();
            return h.createQuery(ANY_LIMIT).bindByType("defaultLimit", defaultLimit, Integer.class)
                    .mapTo(Boolean.class).one();
        });
        anyLimit = known;
        return known;
    }

    /** The gauge's values: per org of a limited account, recipients / limit. No statement while none is limited. */
    Map<String, Double> ratioByOrg(Instant now) {
        Boolean known = anyLimit;
        if (known != null && !known) {
            return Map.of();
        }
        Map<String, Double> ratios = new HashMap<>();
        for (MessagingLimitUsage u : usage(null, now)) {
            if (u.limit() != null) {
                u.orgIds().forEach(org -> ratios.put(org, (double) u.recipients() / u.limit()));
            }
        }
        return ratios;
    }

    /** Each account's use, for the orgs given (null: all). */
    public List<MessagingLimitUsage> usage(List<String> orgs, Instant now) {
        return jdbi.withHandle(h -> usage(h, orgs, now));
    }

    List<MessagingLimitUsage> usage(Handle h, List<String> orgs, Instant now) {
        return h.createQuery(USAGE)
                .bindByType("orgs", orgs == null ? null : orgs.toArray(String[]::new), String[].class)
                .bind("since", now.minus(WINDOW))
                .bindByType("defaultLimit", defaultLimit, Integer.class)
                .map((rs, ctx) -> {
                    int lim = rs.getInt("lim");
                    Integer limit = rs.wasNull() ? null : lim;
                    long used = rs.getLong("used");
                    Double percent = limit == null ? null : Math.round(used * 10_000.0 / limit) / 100.0;
                    return new MessagingLimitUsage(rs.getString("account"), List.of(rs.getString("orgs").split(",")),
                            used, rs.getString("tier"), limit, percent);
                })
                .list();
    }
}
