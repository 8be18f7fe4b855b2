package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.ErrorCategory;
import java.time.Instant;

/**
 * Failures of one error code.
 *
 * @param sampleMessage the error message of the most recent one
 * @param firstSeen the earliest {@code failed_at} among them
 * @param lastSeen the latest
 * @param orgs distinct orgs affected
 */
public record ErrorCodeCount(String errorCode, ErrorCategory category, long count, double percentage,
        String sampleMessage, Instant firstSeen, Instant lastSeen, long orgs) {}
