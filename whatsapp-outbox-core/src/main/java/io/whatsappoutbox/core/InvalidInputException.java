package io.whatsappoutbox.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one exception thrown for bad input anywhere in the library: it lists every violation, each
 * naming the field, what is wrong with the value and the rule it breaks. Nothing has been written
 * when it is thrown.
 */
public class InvalidInputException extends IllegalArgumentException {
    private final transient List<Violation> violations;

    public InvalidInputException(String subject, List<Violation> violations) {
        super(message(subject, violations));
        this.violations = List.copyOf(violations);
    }

    /** One broken rule: values of phone numbers and secrets are masked in {@code problem}. */
    public record Violation(String field, String problem, String rule) {
        @Override
        public String toString() {
            return field + ": " + problem + " (rule: " + rule + ")";
        }
    }

    public List<Violation> violations() {
        return violations;
    }

    /** True when one of the violations is about {@code field}. */
    public boolean concerns(String field) {
        return violations.stream().anyMatch(v -> v.field().equals(field));
    }

    private static String message(String subject, List<Violation> violations) {
        return "Invalid " + subject + ": "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
    }
}
