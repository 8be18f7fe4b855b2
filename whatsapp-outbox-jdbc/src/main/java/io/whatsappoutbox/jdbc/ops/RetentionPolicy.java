package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;

/**
 * How long settled history is kept; each null keeps it for ever. What is never touched: a message
 * QUEUED or SENDING (in flight, whatever its age), the dead letter (FAILED: its archive and purge
 * are the dead-letter procedures), and the webhook dedup keys and pending receipts (the dispatcher
 * prunes those after the dedup window).
 *
 * @param settledMessages SENT, DELIVERED, READ and CANCELLED outbound messages (with their attempts),
 *     by their last update; at least 8 days: a late receipt (Meta redelivers for 7 days) or a
 *     no-delivery fallback (at most 7 days) must still find its message
 * @param inboundMessages the customers' messages ({@code message}), by when they were stored
 * @param auditLog the audit log ({@code outbox_audit}), by its time; at least 30 days
 */
public record RetentionPolicy(Duration settledMessages, Duration inboundMessages, Duration auditLog) {
    public static final Duration MIN_SETTLED = Duration.ofDays(8);
    public static final Duration MIN_AUDIT = Duration.ofDays(30);

    public RetentionPolicy {
        Violations v = new Violations();
        atLeast(v, "settledMessages", settledMessages, MIN_SETTLED);
        atLeast(v, "inboundMessages", inboundMessages, Duration.ofDays(1));
        atLeast(v, "auditLog", auditLog, MIN_AUDIT);
        v.throwIfAny("retention policy");
    }

    /** 90 days of settled and inbound messages, a year of audit log. */
    public static RetentionPolicy defaults() {
        return new RetentionPolicy(Duration.ofDays(90), Duration.ofDays(90), Duration.ofDays(365));
    }

    public RetentionPolicy withSettledMessages(Duration keep) {
        return new RetentionPolicy(keep, inboundMessages, auditLog);
    }

    public RetentionPolicy withInboundMessages(Duration keep) {
        return new RetentionPolicy(settledMessages, keep, auditLog);
    }

    public RetentionPolicy withAuditLog(Duration keep) {
        return new RetentionPolicy(settledMessages, inboundMessages, keep);
    }

    private static void atLeast(Violations v, String field, Duration keep, Duration min) {
        if (keep != null && keep.compareTo(min) < 0) {
            v.add(field, "is " + keep, "at least " + min.toDays() + " days, or null to keep for ever");
        }
    }
}
