package io.whatsappoutbox.jdbc.internal;

/** The export and archive SQL, every value bound. Internal. */
final class ArchiveSql {
    private ArchiveSql() {}

    private static final String ORDER = " ORDER BY coalesce(m.failed_at, m.updated_at), m.id LIMIT :limit";

    static final String SELECT_DEAD_LETTERS = "SELECT m.id FROM outbound_message m WHERE " + ChangeSql.DEAD_LETTER_MATCH
            + ORDER;

    /** The archive's selection, locked until its transaction ends: nobody retries a row being archived. */
    static final String LOCK_DEAD_LETTERS = SELECT_DEAD_LETTERS + " FOR UPDATE";

    static final String MESSAGES = """
            SELECT id, org_id, dossier_id, channel, direction, to_recipient, template_code, subject, content_type,
                   payload_json::text AS payload_json, content_hash, status, idempotency_key, attempt_count,
                   max_attempts, deferral_count, next_attempt_at, locked_by, locked_until, error_code, error_message,
                   error_category, provider, provider_message_id, fallback_of, operation_id::text AS operation_id,
                   created_at, updated_at, sent_at, delivered_at, read_at, failed_at, created_by, updated_by
              FROM outbound_message
             WHERE id = ANY(:ids::bigint[])
             ORDER BY array_position(:ids::bigint[], id)""";

    static final String ATTEMPTS = """
            SELECT id, message_id, org_id, attempt_number, provider, outcome, error_code, error_message,
                   error_category, http_status, provider_message_id, lease_owner, started_at, duration_ms,
                   next_attempt_at
              FROM outbound_attempt
             WHERE message_id = ANY(:ids::bigint[])
             ORDER BY message_id, id""";

    /** The written messages' attempts, deleted before them so that the caller can count them. */
    static final String DELETE_ATTEMPTS = "DELETE FROM outbound_attempt WHERE message_id = ANY(:ids::bigint[])";

    /** Only rows still in the dead letter; the caller checks that every written row went. */
    static final String DELETE = """
            DELETE FROM outbound_message WHERE id = ANY(:ids::bigint[]) AND status = ANY(:sources)""";
}
