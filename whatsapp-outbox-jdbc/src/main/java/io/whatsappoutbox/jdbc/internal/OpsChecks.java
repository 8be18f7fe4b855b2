package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.OpsRules;
import java.time.Duration;
import java.util.List;

/** The checks of operation inputs against {@link OpsRules}, into a {@link Violations}. Internal. */
public final class OpsChecks {
    private OpsChecks() {}

    /** Checks a list of error codes; returns it sorted and without duplicates. */
    public static List<String> errorCodes(Violations v, String field, List<String> codes) {
        if (codes == null) {
            return List.of();
        }
        if (codes.size() > OpsRules.MAX_ERROR_CODES) {
            v.add(field, "has " + codes.size() + " codes", "at most " + OpsRules.MAX_ERROR_CODES);
        }
        for (String code : codes) {
            if (code == null || !OpsRules.ERROR_CODE.matcher(code).matches()) {
                v.add(field, code == null ? "holds a null code" : "'" + Violations.printable(code) + "' is not an error code",
                        OpsRules.ERROR_CODE_RULE);
            }
        }
        return codes.stream().filter(c -> c != null).distinct().sorted().toList();
    }

    /** An optional age or window: zero or positive, at most {@link OpsRules#MAX_AGE}. */
    public static void optionalAge(Violations v, String field, Duration value) {
        if (value != null) {
            age(v, field, value, Duration.ZERO);
        }
    }

    /** A required duration between {@code min} and {@link OpsRules#MAX_AGE}. */
    public static void age(Violations v, String field, Duration value, Duration min) {
        if (!v.requireNonNull(field, value)) {
            return;
        }
        if (value.compareTo(min) < 0 || value.compareTo(OpsRules.MAX_AGE) > 0) {
            v.add(field, "is " + value, "a duration between " + min + " and " + OpsRules.MAX_AGE.toDays() + " days");
        }
    }

    /** {@code min <= max} when both are given. */
    public static void ordered(Violations v, String minField, Duration min, String maxField, Duration max) {
        if (min != null && max != null && min.compareTo(max) > 0) {
            v.add(maxField, "is shorter than " + minField, maxField + " >= " + minField);
        }
    }
}
