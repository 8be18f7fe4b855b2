package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;

/** A provider configuration changed recently (the runbook's "recent configuration changes"). */
public record ConfigChange(String orgId, String phoneNumberId, boolean enabled, Instant updatedAt, String updatedBy) {}
