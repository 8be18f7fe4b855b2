package io.whatsappoutbox.jdbc.internal;

/**
 * The operations' read-only SQL, written out in full, every value bound. Internal.
 *
 * <p>Shared conditions are written once as fragments and put in place when the class loads
 * ({@code {SCOPE}}, {@code {FAILED_AT}}, {@code {DEAD_LETTERS}}): they are constant SQL text, never
 * values. A scope binds {@code :org} (null for all orgs) and {@code :channel} (null for both).
 */
final class ReportSql {
    private ReportSql() {}

    static final String SCOPE = "(:org::text IS NULL OR m.org_id = :org) AND (:channel::text IS NULL OR m.channel = :channel)";

    /** When a dead letter entered the dead letter ({@code updated_at} for rows written without {@code failed_at}). */
    static final String FAILED_AT = "coalesce(m.failed_at, m.updated_at)";

    /** The dead letter of the scope, since {@code :since} (null: all of it). */
    static final String DEAD_LETTERS = "m.status = 'FAILED' AND {SCOPE} AND (:since::timestamptz IS NULL OR {FAILED_AT} > :since)";

    static String sql(String template) {
        return template.replace("{DEAD_LETTERS}", DEAD_LETTERS).replace("{SCOPE}", SCOPE).replace("{FAILED_AT}", FAILED_AT);
    }

    static final String STATUS_COUNTS = sql("""
            SELECT m.status, count(*) AS n, min(m.created_at) AS oldest_created, max(m.created_at) AS newest_created,
                   min(m.updated_at) AS oldest_updated, max(m.updated_at) AS newest_updated,
                   avg(m.attempt_count)::float8 AS average_attempts
              FROM outbound_message m
             WHERE m.created_at > :since AND {SCOPE}
             GROUP BY m.status""");

    /** The backlog now, read on the partial indexes of QUEUED and SENDING. */
    static final String BACKLOG = sql("""
            SELECT count(*) FILTER (WHERE m.status = 'QUEUED') AS queued,
                   count(*) FILTER (WHERE m.status = 'SENDING') AS sending,
                   count(*) FILTER (WHERE m.status = 'QUEUED' AND m.next_attempt_at <= :stuckBefore) AS stuck_queued,
                   count(*) FILTER (WHERE m.status = 'SENDING' AND m.locked_until < :now) AS stuck_sending
              FROM outbound_message m
             WHERE m.status IN ('QUEUED', 'SENDING') AND {SCOPE}""");

    /** Stuck QUEUED (due since before the threshold: a message scheduled later is not due) and expired SENDING. */
    static final String STUCK_SAMPLE = sql("""
            SELECT * FROM (
                (SELECT m.id, m.org_id, m.channel, m.to_recipient, m.status, m.attempt_count, m.created_at,
                        m.next_attempt_at AS stuck_since
                   FROM outbound_message m
                  WHERE m.status = 'QUEUED' AND m.next_attempt_at <= :stuckBefore AND {SCOPE}
                  ORDER BY m.next_attempt_at, m.id
                  LIMIT :limit)
                UNION ALL
                (SELECT m.id, m.org_id, m.channel, m.to_recipient, m.status, m.attempt_count, m.created_at,
                        m.locked_until AS stuck_since
                   FROM outbound_message m
                  WHERE m.status = 'SENDING' AND m.locked_until < :now AND {SCOPE}
                  ORDER BY m.locked_until, m.id
                  LIMIT :limit)) s
             ORDER BY s.stuck_since, s.id
             LIMIT :limit""");

    static final String FAILURES_BY_CODE = sql("""
            SELECT m.error_code, coalesce(m.error_category, 'UNKNOWN') AS category, count(*) AS n,
                   round(100.0 * count(*) / sum(count(*)) OVER (), 2)::float8 AS percentage,
                   (array_agg(m.error_message ORDER BY {FAILED_AT} DESC, m.id DESC))[1] AS sample,
                   min({FAILED_AT}) AS first_seen, max({FAILED_AT}) AS last_seen, count(DISTINCT m.org_id) AS orgs
              FROM outbound_message m
             WHERE {DEAD_LETTERS}
             GROUP BY m.error_code, coalesce(m.error_category, 'UNKNOWN')
             ORDER BY n DESC, m.error_code
             LIMIT :limit""");

    static final String FAILURES_BY_CATEGORY = sql("""
            SELECT coalesce(m.error_category, 'UNKNOWN') AS category, count(*) AS n,
                   round(100.0 * count(*) / sum(count(*)) OVER (), 2)::float8 AS percentage,
                   count(DISTINCT m.org_id) AS orgs
              FROM outbound_message m
             WHERE {DEAD_LETTERS}
             GROUP BY coalesce(m.error_category, 'UNKNOWN')
             ORDER BY n DESC, category""");

    static final String AFFECTED_ORGS = sql("""
            SELECT m.org_id, count(*) AS failures, count(DISTINCT m.to_recipient) AS recipients,
                   count(DISTINCT m.error_code) AS codes
              FROM outbound_message m
             WHERE {DEAD_LETTERS}
             GROUP BY m.org_id
             ORDER BY failures DESC, m.org_id
             LIMIT :limit""");

    /** Messages created per UTC hour and how many of them are dead letters now; empty hours included. */
    static final String HOURLY_FAILURE_RATE = sql("""
            WITH hours AS (
                SELECT generate_series(date_trunc('hour', :from::timestamptz, 'UTC'),
                                       date_trunc('hour', :now::timestamptz, 'UTC'), interval '1 hour') AS hour
            ),
            counts AS (
                SELECT date_trunc('hour', m.created_at, 'UTC') AS hour,
                       count(*) FILTER (WHERE m.status = 'FAILED') AS failed, count(*) AS total
                  FROM outbound_message m
                 WHERE m.created_at > :from AND m.created_at <= :now AND {SCOPE}
                 GROUP BY 1
            )
            SELECT h.hour, coalesce(c.failed, 0) AS failed, coalesce(c.total, 0) AS total
              FROM hours h LEFT JOIN counts c ON c.hour = h.hour
             ORDER BY h.hour""");

    static final String DEAD_LETTER_BY_CHANNEL = sql("""
            SELECT m.channel, count(*) AS n
              FROM outbound_message m
             WHERE {DEAD_LETTERS}
             GROUP BY m.channel
             ORDER BY n DESC, m.channel""");

    static final String DEAD_LETTER_AGES = sql("""
            SELECT count(*) FILTER (WHERE {FAILED_AT} > :day1) AS under_1d,
                   count(*) FILTER (WHERE {FAILED_AT} <= :day1 AND {FAILED_AT} > :day7) AS d1_7,
                   count(*) FILTER (WHERE {FAILED_AT} <= :day7 AND {FAILED_AT} > :day30) AS d7_30,
                   count(*) FILTER (WHERE {FAILED_AT} <= :day30) AS over_30d
              FROM outbound_message m
             WHERE {DEAD_LETTERS}""");

    /** Dead-letter additions per UTC day (of those still there); empty days included. */
    static final String DEAD_LETTER_GROWTH = sql("""
            WITH days AS (
                SELECT generate_series(date_trunc('day', :from::timestamptz, 'UTC'),
                                       date_trunc('day', :now::timestamptz, 'UTC'), interval '1 day') AS day
            ),
            counts AS (
                SELECT date_trunc('day', {FAILED_AT}, 'UTC') AS day, count(*) AS n, count(DISTINCT m.org_id) AS orgs
                  FROM outbound_message m
                 WHERE {DEAD_LETTERS}
                 GROUP BY 1
            )
            SELECT to_char(d.day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, coalesce(c.n, 0) AS n,
                   coalesce(c.orgs, 0) AS orgs
              FROM days d LEFT JOIN counts c ON c.day = d.day
             ORDER BY d.day""");

    /** Per org, template and pricing category: the pricing of the attempt that sent the message. */
    static final String USAGE = sql("""
            SELECT m.org_id, coalesce(m.template_code, '-') AS template, coalesce(a.pricing_category, '-') AS category,
                   count(*) FILTER (WHERE m.sent_at IS NOT NULL) AS sent,
                   count(*) FILTER (WHERE m.delivered_at IS NOT NULL) AS delivered,
                   count(*) FILTER (WHERE a.billable) AS billable
              FROM outbound_message m
              LEFT JOIN LATERAL (SELECT l.pricing_category, l.billable FROM outbound_attempt l
                                  WHERE l.message_id = m.id AND l.outcome = 'SENT'
                                  ORDER BY l.id DESC LIMIT 1) a ON true
             WHERE m.created_at > :since AND m.channel = 'WHATSAPP' AND {SCOPE}
             GROUP BY 1, 2, 3
             ORDER BY 1, 2, 3""");

    static final String CHANNEL_HEALTH = sql("""
            SELECT m.channel, count(*) AS total,
                   count(*) FILTER (WHERE m.status = ANY(:accepted)) AS successful,
                   count(*) FILTER (WHERE m.status = 'FAILED') AS failed,
                   round(avg(extract(epoch FROM (m.sent_at - m.created_at)) * 1000)
                         FILTER (WHERE m.sent_at IS NOT NULL))::bigint AS latency_ms
              FROM outbound_message m
             WHERE m.created_at > :since AND {SCOPE}
             GROUP BY m.channel""");

    static final String QUOTAS = """
            SELECT r.org_id, r.messages_sent_count, r.quota_limit, r.period_seconds, r.reset_at, r.throttle_until,
                   r.last_request_at, r.updated_at, r.updated_by,
                   (SELECT count(*) FROM outbound_attempt a
                     WHERE a.org_id = r.org_id AND a.started_at > :hourAgo AND a.error_category = 'RATE_LIMITED') AS hits
              FROM whatsapp_rate_limit r
             WHERE (:org::text IS NULL OR r.org_id = :org)
             ORDER BY r.org_id""";

    static final String PROVIDER_CONFIGS = """
            SELECT c.org_id, c.phone_number_id, c.business_account_id, c.enabled,
                   c.access_token_encrypted IS NOT NULL AS has_token, c.webhook_secret_encrypted IS NOT NULL AS has_secret,
                   c.previous_webhook_secret_valid_until, c.messages_per_second, c.created_at, c.updated_at, c.updated_by,
                   n.quality_rating, n.messaging_limit,
                   CASE WHEN a.ban_state IN ('DISABLE', 'SCHEDULE_FOR_DISABLE') THEN a.ban_state
                        WHEN a.restricted_until > :now THEN array_to_string(a.restrictions, ',') || ' until '
                             || to_char(a.restricted_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                        ELSE 'ok' END AS standing
              FROM whatsapp_provider_config c
              LEFT JOIN whatsapp_account_state a ON a.business_account_id = c.business_account_id
              LEFT JOIN LATERAL (
                   SELECT (array_agg(quality_rating ORDER BY CASE quality_rating WHEN 'RED' THEN 0 WHEN 'YELLOW' THEN 1
                                                                          ELSE 2 END)
                              FILTER (WHERE quality_rating IS NOT NULL))[1] AS quality_rating,
                          (array_agg(messaging_limit ORDER BY updated_at DESC)
                              FILTER (WHERE messaging_limit IS NOT NULL))[1] AS messaging_limit
                     FROM whatsapp_number_state s WHERE s.business_account_id = c.business_account_id) n ON true
             WHERE (:org::text IS NULL OR c.org_id = :org)
             ORDER BY c.org_id""";

    static final String NUMBER_HEALTH = """
            SELECT s.business_account_id, s.display_phone_number, array_agg(c.org_id ORDER BY c.org_id) AS orgs,
                   s.quality_rating, s.messaging_limit, s.last_event, s.updated_at
              FROM whatsapp_number_state s
              JOIN whatsapp_provider_config c ON c.business_account_id = s.business_account_id
             WHERE (:org::text IS NULL OR c.org_id = :org)
             GROUP BY s.business_account_id, s.display_phone_number, s.quality_rating, s.messaging_limit,
                      s.last_event, s.updated_at
             ORDER BY s.business_account_id, s.display_phone_number""";

    static final String CONFIG_CHANGES = """
            SELECT org_id, phone_number_id, enabled, updated_at, updated_by
              FROM whatsapp_provider_config
             WHERE (:org::text IS NULL OR org_id = :org) AND updated_at > :since
             ORDER BY updated_at DESC, org_id""";

    static final String TABLE_HEALTH = """
            SELECT c.relname AS table_name, pg_total_relation_size(c.oid) AS total_bytes,
                   pg_relation_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes,
                   coalesce(s.n_live_tup, 0) AS live, coalesce(s.n_dead_tup, 0) AS dead,
                   s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
                   coalesce(s.autovacuum_count, 0) AS autovacuum_count, c.reloptions
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
             WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname = ANY(:tables)
             ORDER BY total_bytes DESC, table_name""";

    static final String INDEX_HEALTH = """
            SELECT s.relname AS table_name, s.indexrelname AS index_name, pg_relation_size(s.indexrelid) AS bytes,
                   coalesce(s.idx_scan, 0) AS scans, coalesce(s.idx_tup_read, 0) AS tuples_read,
                   coalesce(s.idx_tup_fetch, 0) AS tuples_fetched
              FROM pg_stat_user_indexes s
             WHERE s.schemaname = current_schema() AND s.relname = ANY(:tables)
             ORDER BY s.relname, s.idx_scan DESC, s.indexrelname""";
}
