package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.SendingHours;
import java.util.UUID;

/**
 * An org's sending hours set or cleared (or, in a dry run, what they would become).
 *
 * @param before the hours before, or null when the org sent at any hour
 * @param after the hours now, or null when cleared
 */
public record SendingHoursChange(UUID operationId, OperationKind kind, boolean dryRun, SendingHours before,
        SendingHours after) {}
