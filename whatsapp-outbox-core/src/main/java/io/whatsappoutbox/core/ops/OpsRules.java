package io.whatsappoutbox.core.ops;

import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The bounds every operation input is checked against: an operator's typo must fail before it
 * reaches the database, and a filter value never becomes SQL text (they are all bound).
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

    /** Checks a list of error codes; returns it sorted and without duplicates. */
    public static List<String> errorCodes(Violations v, String field, List<String> codes) {
        if (codes == null) {
            return List.of();
        }
        if (codes.size() > MAX_ERROR_CODES) {
            v.add(field, "has " + codes.size() + " codes", "at most " + MAX_ERROR_CODES);
        }
        for (String code : codes) {
            if (code == null || !ERROR_CODE.matcher(code).matches()) {
                v.add(field, code == null ? "holds a null code" : "'" + Violations.printable(code) + "' is not an error code",
                        ERROR_CODE_RULE);
            }
        }
        return codes.stream().filter(c -> c != null).distinct().sorted().toList();
    }

    /** An optional age or window: zero or positive, at most {@link #MAX_AGE}. */
    public static void optionalAge(Violations v, String field, Duration value) {
        if (value != null) {
            age(v, field, value, Duration.ZERO);
        }
    }

    /** A required duration between {@code min} and {@link #MAX_AGE}. */
    public static void age(Violations v, String field, Duration value, Duration min) {
        if (!v.requireNonNull(field, value)) {
            return;
        }
        if (value.compareTo(min) < 0 || value.compareTo(MAX_AGE) > 0) {
            v.add(field, "is " + value, "a duration between " + min + " and " + MAX_AGE.toDays() + " days");
        }
    }

    /** {@code min <= max} when both are given. */
    public static void ordered(Violations v, String minField, Duration min, String maxField, Duration max) {
        if (min != null && max != null && min.compareTo(max) > 0) {
            v.add(maxField, "is shorter than " + minField, maxField + " >= " + minField);
        }
    }
}
