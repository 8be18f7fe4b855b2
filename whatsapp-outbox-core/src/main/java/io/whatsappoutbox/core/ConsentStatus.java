package io.whatsappoutbox.core;

/** A recipient's consent for one org and channel (the runbook's {@code consentement}). */
public enum ConsentStatus {
    GRANTED,
    REVOKED,
    /** No record: the recipient never answered either way. */
    UNKNOWN
}
