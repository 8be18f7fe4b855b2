package io.whatsappoutbox.jdbc.ops;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The bounds every operation input is checked against: an operator's typo must fail before it
 * reaches the database, and a filter value never becomes SQL text (they are all bound). The checks
 * themselves are {@code io.whatsappoutbox.jdbc.internal.OpsChecks}.
 */
public final class OpsRules {
    private OpsRules() {}

    /** A provider's numeric code ({@code 131026}) or one of the outbox's upper-case codes ({@code NO_CONSENT}). */
    public static final Pattern ERROR_CODE = Pattern.compile("[0-9]{1,12}|[A-Z][A-Z0-9_]{1,63}");
    public static final String ERROR_CODE_RULE = "digits (a provider code such as 131026) or an outbox code such as NO_CONSENT";
    public static final int MAX_ERROR_CODES = 100;
    /** Most messages one bulk retry, cancel or recovery touches. */
    public static final int MAX_BULK_LIMIT = 10_000;
    /** Most dead letters one export or archive file holds. */
    public static final int MAX_ARCHIVE_LIMIT = 100_000;
    public static final int MAX_BATCH_SIZE = 1_000;
    public static final Duration MAX_PAUSE = Duration.ofMinutes(1);
    /** Ages, windows and look-backs: ten years covers any retention. */
    public static final Duration MAX_AGE = Duration.ofDays(3650);
    /** An archive only takes dead letters that had a day to be looked at. */
    public static final Duration MIN_ARCHIVE_AGE = Duration.ofDays(1);
}
