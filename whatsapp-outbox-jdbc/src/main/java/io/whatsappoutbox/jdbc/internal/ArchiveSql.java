package io.whatsappoutbox.jdbc.internal;

/** The export and archive SQL, every value bound. Internal. */
final class ArchiveSql {
    private ArchiveSql() {}

    private static final String ORDER = " ORDER BY coalesce(m.failed_at, m.updated_at), m.id LIMIT :limit";

    static final String SELECT_DEAD_LETTERS = "SELECT m.id FROM outbound_message m WHERE " + ChangeSql.DEAD_LETTER_MATCH
            + ORDER;

    /** The archive's selection, locked until its transaction ends: nobody retries a row being archived. */
    static final String LOCK_DEAD_LETTERS = SELECT_DEAD_LETTERS + " FOR UPDATE";

    /** Every column of {@link ArchiveFiles#MESSAGE_COLUMNS}, jsonb and uuid read as text. */
    static final String MESSAGES = "SELECT " + String.join(", ", ArchiveFiles.MESSAGE_COLUMNS)
            + " FROM outbound_message WHERE id = ANY(:ids::bigint[]) ORDER BY array_position(:ids::bigint[], id)";

    static final String ATTEMPTS = "SELECT " + String.join(", ", ArchiveFiles.ATTEMPT_COLUMNS)
            + " FROM outbound_attempt WHERE message_id = ANY(:ids::bigint[]) ORDER BY message_id, id";

    /** The written messages' attempts, deleted before them so that the caller can count them. */
    static final String DELETE_ATTEMPTS = "DELETE FROM outbound_attempt WHERE message_id = ANY(:ids::bigint[])";

    /** Only rows still in the dead letter; the caller checks that every written row went. */
    static final String DELETE = """
            DELETE FROM outbound_message WHERE id = ANY(:ids::bigint[]) AND status = ANY(:sources)""";
}
