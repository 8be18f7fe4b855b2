package io.whatsappoutbox.jdbc.ops;

/** What an audited operation did; its name is the audit row's {@code action}. */
public enum OperationKind {
    RETRY_MESSAGE,
    RETRY_DEAD_LETTERS,
    CANCEL_MESSAGE,
    CANCEL_MESSAGES,
    RECOVER_STUCK_SENDING,
    EXPORT_DEAD_LETTERS,
    ARCHIVE_DEAD_LETTERS,
    SET_QUOTA,
    RESET_QUOTA,
    ROTATE_WEBHOOK_SECRET,
    FALLBACK_TO_SMS,
    /** The template registry of an org replaced by Meta's template list. */
    SYNC_TEMPLATES,
    /** A template status, category or quality webhook applied to the registry. */
    TEMPLATE_LIFECYCLE,
    /** An org's sending hours set: its marketing messages wait outside them. */
    SET_SENDING_HOURS,
    /** An org's sending hours removed: it sends at any hour again. */
    CLEAR_SENDING_HOURS,
    /** Settled history older than the retention policy deleted. */
    RUN_RETENTION
}
