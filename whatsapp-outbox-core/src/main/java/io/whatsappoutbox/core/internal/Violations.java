package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.InvalidInputException.Violation;
import io.whatsappoutbox.core.OutboundMessageRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects every broken rule of an input before failing, so a caller learns all its mistakes at
 * once. Internal: may change at any time.
 */
public final class Violations {
    private final List<Violation> list = new ArrayList<>();

    public void add(String field, String problem, String rule) {
        list.add(new Violation(field, problem, rule));
    }

    /** The violations so far. */
    public List<Violation> list() {
        return List.copyOf(list);
    }

    public int size() {
        return list.size();
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    /** Records a violation and returns false when {@code value} is null or blank. */
    public boolean requirePresent(String field, String value) {
        if (value == null) {
            add(field, "is missing", "required");
            return false;
        }
        if (value.isBlank()) {
            add(field, "is empty", "required, not blank");
            return false;
        }
        return true;
    }

    public boolean requireNonNull(String field, Object value) {
        if (value == null) {
            add(field, "is missing", "required");
            return false;
        }
        return true;
    }

    /** Length in Unicode code points, which is how Meta counts characters. */
    public static int length(String value) {
        return value.codePointCount(0, value.length());
    }

    public boolean maxLength(String field, String value, int max) {
        if (value != null && length(value) > max) {
            add(field, "has " + length(value) + " characters", "at most " + max + " characters");
            return false;
        }
        return true;
    }

    /** A required string of 1..max characters matching {@code pattern} (described by {@code rule}). */
    public boolean text(String field, String value, int max, Pattern pattern, String rule) {
        if (!requirePresent(field, value) || !maxLength(field, value, max)) {
            return false;
        }
        if (pattern != null && !pattern.matcher(value).matches()) {
            add(field, "'" + printable(value) + "' has characters outside the allowed set", rule);
            return false;
        }
        return true;
    }

    /** An optional string: checked only when present. */
    public boolean optionalText(String field, String value, int max, Pattern pattern, String rule) {
        if (value == null) {
            return true;
        }
        return text(field, value, max, pattern, rule);
    }

    /** An org id, wherever one is accepted (a request, a filter, an HTTP header, a setting). */
    public boolean orgId(String field, String value) {
        return text(field, value, OutboundMessageRequest.ORG_ID_MAX, OutboundMessageRequest.ORG_ID,
                OutboundMessageRequest.ORG_ID_RULE);
    }

    public void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            add(field, "is " + value, "between " + min + " and " + max);
        }
    }

    public void throwIfAny(String subject) {
        if (!list.isEmpty()) {
            throw new InvalidInputException(subject, list);
        }
    }

    /** Echo of a bad value for an error message: shortened, control characters escaped. */
    public static String printable(String value) {
        String cut = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
