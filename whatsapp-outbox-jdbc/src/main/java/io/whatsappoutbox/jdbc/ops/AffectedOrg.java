package io.whatsappoutbox.jdbc.ops;

/** An org with failures: how many, to how many distinct recipients, with how many distinct codes. */
public record AffectedOrg(String orgId, long failures, long uniqueRecipients, long uniqueErrorCodes) {}
