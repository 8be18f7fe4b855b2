package io.whatsappoutbox.jdbc.internal;

/**
 * The operations' SQL that changes rows, written out in full, every value bound. Internal.
 *
 * <p>The statuses a change may start from are bound as {@code :sources}, taken from
 * {@code MessageStateMachine.Transition.sourceNames()}, and its target as {@code :target}: the
 * database refuses exactly what the state machine refuses. A batch re-checks its selection
 * condition under the row lock, so a message that moved on since it was selected is left alone.
 */
final class ChangeSql {
    private ChangeSql() {}

    /** Dead letters matching a {@code DeadLetterFilter}. */
    static final String DEAD_LETTER_MATCH = ReportSql.sql("""
            m.status = ANY(:sources) AND {SCOPE}
               AND (cardinality(:codes::text[]) = 0 OR m.error_code = ANY(:codes::text[]))
               AND (cardinality(:categories::text[]) = 0 OR coalesce(m.error_category, 'UNKNOWN') = ANY(:categories::text[]))
               AND (:failedUpTo::timestamptz IS NULL OR {FAILED_AT} <= :failedUpTo)
               AND (:failedFrom::timestamptz IS NULL OR {FAILED_AT} >= :failedFrom)""");

    /** Messages matching a {@code CancelFilter}. */
    static final String CANCEL_MATCH = ReportSql.sql("""
            m.status = ANY(:sources) AND m.status = ANY(:statuses) AND {SCOPE}
               AND (cardinality(:codes::text[]) = 0 OR m.error_code = ANY(:codes::text[]))
               AND (cardinality(:categories::text[]) = 0 OR coalesce(m.error_category, 'UNKNOWN') = ANY(:categories::text[]))
               AND (:createdUpTo::timestamptz IS NULL OR m.created_at <= :createdUpTo)
               AND (:createdFrom::timestamptz IS NULL OR m.created_at >= :createdFrom)""");

    /** SENDING messages whose lease expired. */
    static final String STUCK_SENDING_MATCH = ReportSql.sql("""
            m.status = ANY(:sources) AND m.locked_until < :now AND {SCOPE}""");

    private static String match(String template, String match) {
        return template.replace("{MATCH}", match);
    }

    static final String SELECT_DEAD_LETTERS = match("""
            SELECT m.id, m.attempt_count, m.max_attempts
              FROM outbound_message m
             WHERE {MATCH}
             ORDER BY coalesce(m.failed_at, m.updated_at), m.id
             LIMIT :limit""", DEAD_LETTER_MATCH);

    /** An operator retry: due now, a fresh attempt budget; the last error and the attempt rows stay. */
    static final String RETRY_DEAD_LETTERS = match("""
            WITH target AS (
                SELECT m.id FROM outbound_message m
                 WHERE m.id = ANY(:ids) AND {MATCH}
                   FOR UPDATE
            )
            UPDATE outbound_message m
               SET status = :target, attempt_count = 0, deferral_count = 0, next_attempt_at = :now,
                   locked_until = NULL, operation_id = :operationId, updated_at = :now, updated_by = :actor
              FROM target t
             WHERE m.id = t.id
            RETURNING m.id, m.status""", DEAD_LETTER_MATCH);

    /** WhatsApp dead letters without a fallback, for the manual fallback. */
    static final String SELECT_FALLBACK_CANDIDATES = match("""
            SELECT m.*
              FROM outbound_message m
             WHERE {MATCH} AND m.channel = 'WHATSAPP'
               AND NOT EXISTS (SELECT 1 FROM outbound_message f WHERE f.fallback_of = m.id)
             ORDER BY coalesce(m.failed_at, m.updated_at), m.id
             LIMIT :limit""", DEAD_LETTER_MATCH);

    /** One batch of the manual fallback, read again under the filter and locked: a parent may have moved on. */
    static final String LOCK_FALLBACK_BATCH = match("""
            SELECT m.*
              FROM outbound_message m
             WHERE m.id = ANY(:ids) AND {MATCH} AND m.channel = 'WHATSAPP'
               AND NOT EXISTS (SELECT 1 FROM outbound_message f WHERE f.fallback_of = m.id)
             ORDER BY coalesce(m.failed_at, m.updated_at), m.id
               FOR UPDATE OF m""", DEAD_LETTER_MATCH);

    /** Marks the fallbacks an operation created, so its progress can be followed. */
    static final String MARK_OPERATION = """
            UPDATE outbound_message SET operation_id = :operationId
             WHERE id = ANY(:ids)
            RETURNING id, status""";

    static final String SELECT_CANCEL = match("""
            SELECT m.id, m.attempt_count, m.max_attempts
              FROM outbound_message m
             WHERE {MATCH}
             ORDER BY m.created_at, m.id
             LIMIT :limit""", CANCEL_MATCH);

    /** A cancel keeps the last error: a cancelled dead letter still says why it failed. */
    static final String CANCEL = match("""
            WITH target AS (
                SELECT m.id FROM outbound_message m
                 WHERE m.id = ANY(:ids) AND {MATCH}
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE outbound_message m
               SET status = :target, locked_until = NULL, operation_id = :operationId, updated_at = :now,
                   updated_by = :actor
              FROM target t
             WHERE m.id = t.id
            RETURNING m.id, m.status""", CANCEL_MATCH);

    static final String SELECT_STUCK_SENDING = match("""
            SELECT m.id, m.attempt_count, m.max_attempts
              FROM outbound_message m
             WHERE {MATCH}
             ORDER BY m.locked_until, m.id
             LIMIT :limit""", STUCK_SENDING_MATCH);

    /**
     * As the automatic lease recovery: back to the queue, or to the dead letter when the attempts
     * are used up (a message that keeps killing its dispatcher must not loop for ever).
     */
    static final String RECOVER_STUCK_SENDING = match("""
            WITH target AS (
                SELECT m.id FROM outbound_message m
                 WHERE m.id = ANY(:ids) AND {MATCH}
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE outbound_message m
               SET status = CASE WHEN m.attempt_count >= m.max_attempts THEN :deadTarget ELSE :target END,
                   failed_at = CASE WHEN m.attempt_count >= m.max_attempts THEN :now ELSE m.failed_at END,
                   error_code = CASE WHEN m.attempt_count >= m.max_attempts THEN :leaseCode ELSE m.error_code END,
                   error_message = CASE WHEN m.attempt_count >= m.max_attempts THEN :leaseMessage ELSE m.error_message END,
                   error_category = CASE WHEN m.attempt_count >= m.max_attempts THEN :leaseCategory
                                         ELSE m.error_category END,
                   next_attempt_at = :now, locked_until = NULL, operation_id = :operationId, updated_at = :now,
                   updated_by = :actor
              FROM target t
             WHERE m.id = t.id
            RETURNING m.id, m.status""", STUCK_SENDING_MATCH);

    static final String LOCK_ONE = """
            SELECT status FROM outbound_message WHERE id = :id AND org_id = :org FOR UPDATE""";

    static final String RETRY_ONE = """
            UPDATE outbound_message
               SET status = :target, attempt_count = 0, deferral_count = 0, next_attempt_at = :now,
                   locked_until = NULL, operation_id = :operationId, updated_at = :now, updated_by = :actor
             WHERE id = :id AND org_id = :org AND status = ANY(:sources)""";

    static final String CANCEL_ONE = """
            UPDATE outbound_message
               SET status = :target, locked_until = NULL, operation_id = :operationId, updated_at = :now,
                   updated_by = :actor
             WHERE id = :id AND org_id = :org AND status = ANY(:sources)""";

    static final String QUOTA_ROW = """
            SELECT r.org_id, r.messages_sent_count, r.quota_limit, r.period_seconds, r.reset_at, r.throttle_until,
                   r.last_request_at, r.updated_at, r.updated_by, 0::bigint AS hits
              FROM whatsapp_rate_limit r
             WHERE r.org_id = :org""";

    /** A new row starts a period now; an existing one keeps its count and reset time. */
    static final String SET_QUOTA = """
            INSERT INTO whatsapp_rate_limit AS r (org_id, messages_sent_count, quota_limit, period_seconds, reset_at,
                                                  created_at, updated_at, updated_by)
            VALUES (:org, 0, :quota, coalesce(:period::int, 86400),
                    :now + make_interval(secs => coalesce(:period::int, 86400)), :now, :now, :actor)
            ON CONFLICT (org_id) DO UPDATE
               SET quota_limit = EXCLUDED.quota_limit,
                   period_seconds = coalesce(:period::int, r.period_seconds),
                   updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""";

    /** The runbook's forced reset: count 0, a fresh period from now, no throttle. */
    static final String RESET_QUOTA = """
            INSERT INTO whatsapp_rate_limit AS r (org_id, messages_sent_count, reset_at, throttle_until, created_at,
                                                  updated_at, updated_by)
            VALUES (:org, 0, :now + interval '1 day', NULL, :now, :now, :actor)
            ON CONFLICT (org_id) DO UPDATE
               SET messages_sent_count = 0, reset_at = :now + make_interval(secs => r.period_seconds),
                   throttle_until = NULL, updated_at = :now, updated_by = :actor""";

    /** When the previous secrets of the rotated orgs stop verifying (the same for every one of them). */
    static final String PREVIOUS_SECRET_VALID_UNTIL = """
            SELECT max(previous_webhook_secret_valid_until) FROM whatsapp_provider_config WHERE org_id = ANY(:orgs)""";

    static final String INSERT_AUDIT = """
            INSERT INTO outbox_audit (operation_id, action, operator, reason, org_scope, filter_json, dry_run,
                                      affected_count, details_json, created_at)
            VALUES (:operationId, :action, :operator, :reason, :scope, :filter::jsonb, :dryRun, :affected,
                    :details::jsonb, :now)""";

    static final String UPDATE_AUDIT = """
            UPDATE outbox_audit SET affected_count = :affected, details_json = :details::jsonb
             WHERE operation_id = :operationId""";

    static final String SELECT_AUDIT = """
            SELECT id, operation_id, action, operator, reason, org_scope, filter_json::text AS filter_json, dry_run,
                   affected_count, details_json::text AS details_json, created_at
              FROM outbox_audit
             WHERE created_at > :since
               AND (:org::text IS NULL OR org_scope = :org)
               AND (:action::text IS NULL OR action = :action)
               AND (:operator::text IS NULL OR operator = :operator)
               AND (:operationId::uuid IS NULL OR operation_id = :operationId::uuid)
             ORDER BY created_at DESC, id DESC
             LIMIT :limit""";

    static final String OPERATION = """
            SELECT id, operation_id, action, operator, reason, org_scope, filter_json::text AS filter_json, dry_run,
                   affected_count, details_json::text AS details_json, created_at
              FROM outbox_audit
             WHERE operation_id = :operationId
             ORDER BY id
             LIMIT 1""";

    static final String OPERATION_STATUS_COUNTS = """
            SELECT status, count(*) AS n
              FROM outbound_message
             WHERE operation_id = :operationId AND (:org::text IS NULL OR org_id = :org)
             GROUP BY status""";
}
