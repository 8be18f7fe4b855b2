package io.whatsappoutbox.jdbc.internal;

/** The dispatcher's SQL, written out in full, every value bound. Internal. */
final class DispatchSql {
    private DispatchSql() {}

    /**
     * Runs first in the claim's transaction: the claim is planned once per connection, not at every
     * call. Its custom plans cost more to make (2 to 5 ms) than the claim takes to run, and
     * PostgreSQL's own choice between custom and generic plans keeps flipping as a queue table
     * grows and shrinks. The claim is written so that its generic plan is always the right one:
     * the update and the consent and window lookups go through the primary keys, whatever the
     * estimates.
     *
     * <p>And the claim's commit does not wait for its WAL flush. A claim lost in a crash of the
     * database leaves its messages QUEUED, to be claimed again: the same outcome as a lease that
     * expires (the provider may have had the message either way, and at-least-once is the
     * contract). Its WAL is flushed by the next synchronous commit (the result write) or by the WAL
     * writer within a fraction of a second. Both settings in one statement: one round trip.
     */
    static final String GENERIC_PLAN_ASYNC_COMMIT =
            "SELECT set_config('plan_cache_mode', 'force_generic_plan', true) AS plan_cache_mode,"
            + " set_config('synchronous_commit', 'off', true) AS synchronous_commit";

    /**
     * Claims a batch fairly between lanes (an org on a channel): it walks the distinct lanes of the
     * queue on the claim index (a loose index scan, one probe per lane, going down from the rotating
     * cursor and wrapping at the bottom), skips WhatsApp lanes that are throttled or out of quota, and takes at
     * most {@code ceil(batch / due lanes)} due messages per lane with SKIP LOCKED. With one lane it is a
     * plain FIFO claim. With several claim threads, each takes the lanes of its share only (lane
     * rank plus a per-second offset, modulo the shares: the lanes change hands every second, so
     * an odd lane count favours no lane), so that no claim steps over rows another claim has
     * locked; a share without due lanes takes every due lane. Lanes with nothing due are left out
     * of the share of the batch (the lane's newest message tells, or when that one is not due yet, a
     * probe for its first due one). The consent (for the message's purpose), session window (free-form messages only) and sender
     * of each message come back in the same statement; the consents of the whole batch are read in
     * one index scan. A lane with a mark (the store's, see {@code JdbcDispatchStore}) is read from
     * its mark, not from its head. Run after {@link #GENERIC_PLAN_ASYNC_COMMIT}.
     */
    static final String CLAIM = """
            WITH RECURSIVE
            -- down the claim index from the cursor, one probe per lane, reading each lane's last entry:
            -- its first entries are the rows the last claims took, not yet dead to every open
            -- transaction, and stepping over them cost a heap fetch each (hundreds per claim)
            lanes_below (org_id, channel, tail_due, n) AS (
                (SELECT m.org_id, m.channel, m.next_attempt_at <= :now, 1
                   FROM outbound_message m
                  WHERE m.status = 'QUEUED' AND (m.org_id, m.channel) < (:cursorOrg, :cursorChannel)
                  ORDER BY m.org_id DESC, m.channel DESC, m.next_attempt_at DESC
                  LIMIT 1)
                UNION ALL
                SELECT nxt.org_id, nxt.channel, nxt.tail_due, l.n + 1
                  FROM lanes_below l
                 CROSS JOIN LATERAL (
                       SELECT m.org_id, m.channel, m.next_attempt_at <= :now AS tail_due
                         FROM outbound_message m
                        WHERE m.status = 'QUEUED' AND (m.org_id, m.channel) < (l.org_id, l.channel)
                        ORDER BY m.org_id DESC, m.channel DESC, m.next_attempt_at DESC
                        LIMIT 1) nxt
                 WHERE l.n < :maxLanes
            ),
            -- then wraps: from the top down to the cursor
            lanes_above (org_id, channel, tail_due, n) AS (
                (SELECT m.org_id, m.channel, m.next_attempt_at <= :now, 1
                   FROM outbound_message m
                  WHERE m.status = 'QUEUED' AND (m.org_id, m.channel) >= (:cursorOrg, :cursorChannel)
                    AND (SELECT count(*) FROM lanes_below) < :maxLanes
                  ORDER BY m.org_id DESC, m.channel DESC, m.next_attempt_at DESC
                  LIMIT 1)
                UNION ALL
                SELECT nxt.org_id, nxt.channel, nxt.tail_due, l.n + 1
                  FROM lanes_above l
                 CROSS JOIN LATERAL (
                       SELECT m.org_id, m.channel, m.next_attempt_at <= :now AS tail_due
                         FROM outbound_message m
                        WHERE m.status = 'QUEUED' AND (m.org_id, m.channel) < (l.org_id, l.channel)
                          AND (m.org_id, m.channel) >= (:cursorOrg, :cursorChannel)
                        ORDER BY m.org_id DESC, m.channel DESC, m.next_attempt_at DESC
                        LIMIT 1) nxt
                 WHERE l.n < :maxLanes - (SELECT count(*) FROM lanes_below)
            ),
            -- where the marked lanes' last full claims started: a lane's entries before its mark
            -- are rows that claims took, dead but in the claim index until vacuum
            lane_marks AS (
                SELECT k.org_id, k.channel, k.from_at::timestamptz AS from_at
                  FROM unnest(:markOrgs::text[], :markChannels::text[], :markFrom::text[]) AS k(org_id, channel, from_at)
            ),
            -- a lane whose newest message is due is due; only one that holds later messages (a
            -- retry's backoff, a notBefore) needs a second probe, for its first due message
            lanes AS (
                SELECT w.org_id, w.channel, w.n,
                       w.tail_due OR (
                           -- not EXISTS: that would drop the order, and the generic plan scan the table
                           SELECT h.next_attempt_at <= :now
                             FROM outbound_message h
                            WHERE h.org_id = w.org_id AND h.channel = w.channel AND h.status = 'QUEUED'
                              AND h.next_attempt_at >= coalesce(k.from_at, '-infinity')
                            ORDER BY h.org_id, h.channel, h.next_attempt_at
                            LIMIT 1) AS due
                  FROM (SELECT org_id, channel, tail_due, n FROM lanes_below
                        UNION ALL
                        SELECT org_id, channel, tail_due, n + :maxLanes FROM lanes_above) w
                  LEFT JOIN lane_marks k ON k.org_id = w.org_id AND k.channel = w.channel
            ),
            open_lanes AS (
                SELECT l.org_id, l.channel, l.due, l.n
                  FROM lanes l
                  LEFT JOIN whatsapp_rate_limit r ON r.org_id = l.org_id AND l.channel = 'WHATSAPP'
                 WHERE r.org_id IS NULL
                    OR NOT ((r.throttle_until IS NOT NULL AND r.throttle_until > :now)
                         OR (r.quota_limit IS NOT NULL AND r.reset_at > :now
                             AND r.messages_sent_count >= r.quota_limit))
            ),
            shared_lanes AS (
                SELECT l.org_id, l.channel, l.n, l.due,
                       l.due AND (row_number() OVER (ORDER BY l.org_id, l.channel) - 1 + :shareOffset) % :shares
                                 = :share AS mine
                  FROM open_lanes l
            ),
            chosen_lanes AS (
                SELECT org_id, channel, n FROM shared_lanes WHERE mine
                UNION ALL
                SELECT org_id, channel, n FROM shared_lanes
                 WHERE due AND NOT EXISTS (SELECT 1 FROM shared_lanes WHERE mine)
            ),
            lane_share AS (
                SELECT greatest(1, ceil(:batch::numeric / greatest(count(*), 1)))::int AS n FROM chosen_lanes
            ),
            -- per lane: its HIGH due messages, then NORMAL, then LOW, each from an index of its own
            -- (HIGH and LOW partial ones: a lane of NORMAL messages costs two empty probes); a
            -- message whose ordering key has an earlier message queued or being sent waits
            candidates AS (
                SELECT c.id
                  FROM chosen_lanes l
                  LEFT JOIN lane_marks k ON k.org_id = l.org_id AND k.channel = l.channel
                 CROSS JOIN LATERAL (
                       WITH high AS (
                            SELECT m.id
                              FROM outbound_message m
                             WHERE m.org_id = l.org_id AND m.channel = l.channel
                               AND m.status = 'QUEUED' AND m.priority = 0 AND m.next_attempt_at <= :now
                                 AND (m.ordering_key IS NULL OR NOT EXISTS (
                                      SELECT 1 FROM outbound_message e
                                       WHERE e.org_id = m.org_id AND e.ordering_key = m.ordering_key AND e.id < m.id
                                         AND e.status IN ('QUEUED', 'SENDING')))
                             ORDER BY m.next_attempt_at, m.id
                             LIMIT (SELECT n FROM lane_share)
                             FOR UPDATE SKIP LOCKED),
                       normal AS (
                            SELECT m.id
                              FROM outbound_message m
                             WHERE m.org_id = l.org_id AND m.channel = l.channel
                               AND m.status = 'QUEUED' AND m.next_attempt_at <= :now
                               AND m.next_attempt_at >= coalesce(k.from_at, '-infinity') AND m.priority = 1
                                 AND (m.ordering_key IS NULL OR NOT EXISTS (
                                      SELECT 1 FROM outbound_message e
                                       WHERE e.org_id = m.org_id AND e.ordering_key = m.ordering_key AND e.id < m.id
                                         AND e.status IN ('QUEUED', 'SENDING')))
                             ORDER BY m.next_attempt_at, m.id
                             LIMIT (SELECT n FROM lane_share) - (SELECT count(*) FROM high)
                             FOR UPDATE SKIP LOCKED),
                       low AS (
                            SELECT m.id
                              FROM outbound_message m
                             WHERE m.org_id = l.org_id AND m.channel = l.channel
                               AND m.status = 'QUEUED' AND m.priority = 2 AND m.next_attempt_at <= :now
                                 AND (m.ordering_key IS NULL OR NOT EXISTS (
                                      SELECT 1 FROM outbound_message e
                                       WHERE e.org_id = m.org_id AND e.ordering_key = m.ordering_key AND e.id < m.id
                                         AND e.status IN ('QUEUED', 'SENDING')))
                             ORDER BY m.next_attempt_at, m.id
                             LIMIT (SELECT n FROM lane_share) - (SELECT count(*) FROM high) - (SELECT count(*) FROM normal)
                             FOR UPDATE SKIP LOCKED)
                       SELECT id, 0 AS rank FROM high
                       UNION ALL SELECT id, 1 FROM normal
                       UNION ALL SELECT id, 2 FROM low) c
                 ORDER BY l.n, c.rank
                 LIMIT :batch
            ),
            claimed AS (
                UPDATE outbound_message m
                   SET status = 'SENDING', locked_by = :owner,
                       locked_until = coalesce(:leaseFrom::timestamptz, now()) + make_interval(secs => :leaseMillis::bigint / 1000.0),
                       attempt_count = m.attempt_count + 1, updated_at = :now
                 WHERE m.id = ANY(ARRAY(SELECT id FROM candidates))
                RETURNING\s""" + MessageRows.COLUMNS + """

            ),
            -- the batch's consents in one scan of the consent key (each column matched against the
            -- batch's values), not one look-up per message: a superset, joined exactly below
            consents AS MATERIALIZED (
                SELECT cs.org_id, cs.phone_number, cs.channel, cs.purpose, cs.status
                  FROM consentement cs
                 WHERE cs.org_id = ANY(ARRAY(SELECT org_id FROM claimed))
                   AND cs.phone_number = ANY(ARRAY(SELECT to_recipient FROM claimed))
                   AND cs.channel = ANY(ARRAY(SELECT channel FROM claimed))
                   AND cs.purpose = ANY(ARRAY(SELECT consent_purpose FROM claimed))
            )
            SELECT c.*,
                   cs.status AS consent_status,
                   -- only free-form WhatsApp messages need the window; templates go out at any time
                   CASE WHEN c.channel = 'WHATSAPP' AND c.content_type <> 'TEMPLATE' THEN
                       (SELECT w.last_inbound_at
                          FROM whatsapp_session_window w
                         WHERE w.org_id = c.org_id AND w.phone_number = c.to_recipient)
                   END AS window_last_inbound_at,
                   pc.phone_number_id AS sender_id, pc.messages_per_second AS sender_rate,
                   (SELECT n FROM lane_share) AS lane_share
              FROM claimed c
              LEFT JOIN consents cs
                     ON cs.org_id = c.org_id AND cs.phone_number = c.to_recipient AND cs.channel = c.channel
                    AND cs.purpose = c.consent_purpose
              LEFT JOIN whatsapp_provider_config pc
                     ON pc.org_id = c.org_id AND c.channel = 'WHATSAPP'
             ORDER BY c.priority, c.next_attempt_at, c.id""";

    /** Dead-letters claimed rows that cannot be read, under the claim's own lease. */
    static final String DEAD_LETTER_UNREADABLE = """
            UPDATE outbound_message m
               SET status = :target, failed_at = :now, error_code = :code, error_message = u.msg,
                   error_category = :category, locked_until = NULL, updated_at = :now, updated_by = 'claim'
              FROM unnest(:ids::bigint[], :messages::text[]) AS u(id, msg)
             WHERE m.id = u.id AND m.locked_by = :owner AND m.status = ANY(:sources)""";

    /** Reserves quota per org atomically; rows are locked so concurrent reservations add up. */
    static final String RESERVE_QUOTA = """
            WITH wanted AS (
                SELECT * FROM unnest(:orgs::text[], :wanted::int[]) AS w(org_id, wanted)
            ),
            cur AS (
                SELECT r.org_id, w.wanted, r.quota_limit, r.period_seconds,
                       (r.reset_at <= :now) AS expired,
                       CASE WHEN r.reset_at <= :now THEN 0 ELSE r.messages_sent_count END AS used
                  FROM whatsapp_rate_limit r
                  JOIN wanted w ON w.org_id = r.org_id
                 WHERE r.quota_limit IS NOT NULL
                 ORDER BY r.org_id
                   FOR UPDATE OF r
            ),
            upd AS (
                UPDATE whatsapp_rate_limit r
                   SET messages_sent_count = cur.used + least(cur.wanted, greatest(cur.quota_limit - cur.used, 0)),
                       reset_at = CASE WHEN cur.expired THEN :now + make_interval(secs => cur.period_seconds)
                                       ELSE r.reset_at END,
                       last_request_at = :now,
                       updated_at = :now
                  FROM cur
                 WHERE r.org_id = cur.org_id
                RETURNING r.org_id, r.reset_at, (r.messages_sent_count - cur.used)::int AS granted, cur.wanted
            )
            SELECT org_id, granted, wanted, reset_at FROM upd""";

    /**
     * Takes back reservations not sent, in the period they were made in (one that started after
     * {@code :reservedAt} is left alone), locking the rows in the order the reservation does.
     */
    static final String RELEASE_QUOTA = """
            WITH unsent AS (
                SELECT * FROM unnest(:orgs::text[], :unsent::int[]) AS u(org_id, unsent)
            ),
            cur AS (
                SELECT r.org_id, u.unsent
                  FROM whatsapp_rate_limit r
                  JOIN unsent u ON u.org_id = r.org_id
                 WHERE r.quota_limit IS NOT NULL AND r.reset_at > :now
                   AND r.reset_at - make_interval(secs => r.period_seconds) <= :reservedAt
                 ORDER BY r.org_id
                   FOR UPDATE OF r
            )
            UPDATE whatsapp_rate_limit r
               SET messages_sent_count = greatest(r.messages_sent_count - cur.unsent, 0), updated_at = :now
              FROM cur
             WHERE r.org_id = cur.org_id""";

    /**
     * A batch of accepted messages, their attempt rows and the receipts that were waiting for them
     * (matched by channel and provider id), in one statement: the hot path. The attempt rows are
     * written even for a result whose lease was lost (the history keeps every call). The waiting
     * receipts are taken out of {@code pending_receipt} and returned, for the caller to apply in the
     * same transaction. With {@code :deferIfWaiting} (a statement run alone, in autocommit) it writes
     * nothing when a receipt waits and returns one {@code W} row: the caller then runs it again in
     * a transaction that applies the receipts with the result.
     */
    static final String COMPLETE_SENT = """
            WITH u AS (
                SELECT *
                  FROM unnest(:ids::bigint[], :owners::text[], :providers::text[], :pids::text[], :channels::text[],
                              :orgs::text[], :attemptNumbers::int[], :httpStatuses::int[], :startedAt::text[],
                              :durations::int[])
                       AS u(id, owner, provider, pid, channel, org_id, attempt_number, http_status, started_at,
                            duration_ms)
            ),
            waiting AS (
                -- receipts rarely beat their send: one probe of an empty table instead of one per message
                SELECT 1
                  FROM pending_receipt p
                  JOIN u ON u.pid = p.provider_message_id AND u.channel = p.channel
                 WHERE :deferIfWaiting AND EXISTS (SELECT 1 FROM pending_receipt)
                 LIMIT 1
            ),
            go AS (
                SELECT NOT EXISTS (SELECT 1 FROM waiting) AS ok
            ),
            attempts AS (
                INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, http_status,
                    provider_message_id, lease_owner, started_at, duration_ms)
                SELECT u.id, u.org_id, u.attempt_number, u.provider, :outcome, u.http_status, u.pid, u.owner,
                       u.started_at::timestamptz, u.duration_ms
                  FROM u
                 WHERE (SELECT ok FROM go)
            ),
            sent AS (
                UPDATE outbound_message m
                   SET status = :target, provider = u.provider, provider_message_id = u.pid, sent_at = :now,
                       locked_until = NULL, error_code = NULL, error_message = NULL, error_category = NULL,
                       updated_at = :now
                  FROM u
                 WHERE m.id = u.id AND m.locked_by = u.owner AND m.status = ANY(:sources) AND (SELECT ok FROM go)
                RETURNING m.id, m.channel, m.provider_message_id
            ),
            taken AS (
                DELETE FROM pending_receipt p
                 USING sent s
                 WHERE p.provider_message_id = s.provider_message_id AND p.channel = s.channel
                   AND EXISTS (SELECT 1 FROM pending_receipt)
                RETURNING p.provider_message_id, p.channel, p.org_id, p.status, p.occurred_at, p.error_code,
                          p.error_message, p.error_details, p.pricing_category, p.pricing_model, p.billable,
                          p.conversation_id, p.conversation_origin
            )
            SELECT 'S' AS kind, s.id, s.provider_message_id, NULL AS channel, NULL AS org_id, NULL AS status,
                   NULL::timestamptz AS occurred_at, NULL AS error_code, NULL AS error_message,
                   NULL AS error_details, NULL AS pricing_category, NULL AS pricing_model, NULL::boolean AS billable,
                   NULL AS conversation_id, NULL AS conversation_origin
              FROM sent s
            UNION ALL
            SELECT 'P', NULL, p.provider_message_id, p.channel, p.org_id, p.status, p.occurred_at, p.error_code,
                   p.error_message, p.error_details, p.pricing_category, p.pricing_model, p.billable,
                   p.conversation_id, p.conversation_origin
              FROM taken p
            UNION ALL
            SELECT 'W', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
              FROM go
             WHERE NOT go.ok""";

    static final String COMPLETE_RESCHEDULE = """
            UPDATE outbound_message m
               SET status = :target, next_attempt_at = u.next_at::timestamptz,
                   attempt_count = m.attempt_count - CASE WHEN u.spent THEN 0 ELSE 1 END,
                   deferral_count = m.deferral_count + CASE WHEN u.spent THEN 0 ELSE 1 END,
                   error_code = u.code, error_message = u.msg, error_category = u.cat,
                   locked_until = NULL, updated_at = :now
              FROM unnest(:ids::bigint[], :owners::text[], :nextAt::text[], :spent::boolean[], :codes::text[],
                          :messages::text[], :categories::text[]) AS u(id, owner, next_at, spent, code, msg, cat)
             WHERE m.id = u.id AND m.locked_by = u.owner AND m.status = ANY(:sources)
            RETURNING m.id""";

    static final String COMPLETE_DEAD_LETTER = """
            UPDATE outbound_message m
               SET status = :target, failed_at = :now, error_code = u.code, error_message = u.msg,
                   error_category = u.cat, locked_until = NULL, updated_at = :now
              FROM unnest(:ids::bigint[], :owners::text[], :codes::text[], :messages::text[], :categories::text[])
                   AS u(id, owner, code, msg, cat)
             WHERE m.id = u.id AND m.locked_by = u.owner AND m.status = ANY(:sources)
            RETURNING m.id""";

    /** Ends queued messages past their sendBy, the earliest first, skipping rows a claim holds. */
    static final String EXPIRE_OVERDUE = """
            UPDATE outbound_message m
               SET status = :target, failed_at = :now, error_code = :code, error_category = :category,
                   error_message = 'Not sent by its sendBy ' || to_char(m.send_by AT TIME ZONE 'UTC',
                       'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ': still queued then',
                   updated_at = :now, updated_by = 'maintenance'
             WHERE m.id = ANY(ARRAY(
                   SELECT q.id FROM outbound_message q
                    WHERE q.status = ANY(:sources) AND q.send_by IS NOT NULL AND q.send_by <= :now
                    ORDER BY q.send_by
                    LIMIT :limit
                    FOR UPDATE SKIP LOCKED))
               AND m.status = ANY(:sources)
            RETURNING m.channel""";

    static final String INSERT_ATTEMPTS = """
            INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, error_code,
                error_message, error_category, http_status, provider_message_id, lease_owner, started_at,
                duration_ms, next_attempt_at)
            SELECT a.message_id, a.org_id, a.attempt_number, a.provider, a.outcome, a.code, a.msg, a.cat,
                   a.http_status, a.pid, a.owner, a.started_at::timestamptz, a.duration_ms, a.next_at::timestamptz
              FROM unnest(:messageIds::bigint[], :orgs::text[], :attemptNumbers::int[], :providers::text[],
                          :outcomes::text[], :codes::text[], :messages::text[], :categories::text[],
                          :httpStatuses::int[], :pids::text[], :owners::text[], :startedAt::text[],
                          :durations::int[], :nextAt::text[])
                   AS a(message_id, org_id, attempt_number, provider, outcome, code, msg, cat, http_status, pid,
                        owner, started_at, duration_ms, next_at)""";

    static final String THROTTLE_WHATSAPP = """
            INSERT INTO whatsapp_rate_limit (org_id, reset_at, throttle_until, created_at, updated_at, updated_by)
            SELECT t.org_id, :now, t.until::timestamptz, :now, :now, 'throttle'
              FROM unnest(:orgs::text[], :until::text[]) AS t(org_id, until)
            ON CONFLICT (org_id) DO UPDATE
               SET throttle_until = greatest(coalesce(whatsapp_rate_limit.throttle_until, EXCLUDED.throttle_until),
                                             EXCLUDED.throttle_until),
                   updated_at = EXCLUDED.updated_at""";

    /**
     * Expired leases go back to the queue, or to the dead letter when their attempts are used up
     * (a message that keeps killing its dispatcher must not loop for ever). Expired by the
     * database's clock ({@code :leaseNow} is null), the one the claim's lease was set by.
     */
    static final String RECOVER_LEASES = """
            WITH expired AS (
                SELECT id
                  FROM outbound_message
                 WHERE status = 'SENDING' AND locked_until < coalesce(:leaseNow::timestamptz, now())
                 ORDER BY locked_until
                 LIMIT :limit
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE outbound_message m
               SET status = CASE WHEN m.attempt_count >= m.max_attempts THEN 'FAILED' ELSE 'QUEUED' END,
                   failed_at = CASE WHEN m.attempt_count >= m.max_attempts THEN :now ELSE m.failed_at END,
                   error_code = CASE WHEN m.attempt_count >= m.max_attempts THEN 'LEASE_EXPIRED' ELSE m.error_code END,
                   error_message = CASE WHEN m.attempt_count >= m.max_attempts
                                        THEN 'Lease expired with attempts used up; the provider may have the message'
                                        ELSE m.error_message END,
                   error_category = CASE WHEN m.attempt_count >= m.max_attempts THEN 'TEMPORARY'
                                         ELSE m.error_category END,
                   next_attempt_at = :now, locked_until = NULL, updated_at = :now, updated_by = :actor
              FROM expired e
             WHERE m.id = e.id
            RETURNING m.id, m.status""";

    /** Accepted WhatsApp messages without receipt or fallback, in a window, after a cursor. */
    static final String UNDELIVERED = "SELECT " + MessageRows.COLUMNS + """
             FROM outbound_message m
            WHERE m.status = 'SENT' AND m.channel = 'WHATSAPP'
              AND m.sent_at > :after AND m.sent_at <= :before
              AND (m.sent_at, m.id) > (:cursorAt, :cursorId)
              AND NOT EXISTS (SELECT 1 FROM outbound_message f WHERE f.fallback_of = m.id)
            ORDER BY m.sent_at, m.id
            LIMIT :limit""";

    /** The gauges; QUEUED is counted in one pass over the claim index (it holds next_attempt_at). */
    static final String SNAPSHOT = """
            SELECT q.queued, q.stuck_queued,
                   (SELECT count(*) FROM outbound_message WHERE status = 'SENDING') AS sending,
                   (SELECT count(*) FROM outbound_message WHERE status = 'FAILED' AND channel = 'WHATSAPP') AS dlq_whatsapp,
                   (SELECT count(*) FROM outbound_message WHERE status = 'FAILED' AND channel = 'SMS') AS dlq_sms,
                   (SELECT count(*) FROM outbound_message
                     WHERE status = 'SENDING'
                       AND locked_until < coalesce(:leaseNow::timestamptz, now())) AS stuck_sending
              FROM (SELECT count(*) AS queued, count(*) FILTER (WHERE next_attempt_at < :stuckBefore) AS stuck_queued
                      FROM outbound_message
                     WHERE status = 'QUEUED') q""";
}
