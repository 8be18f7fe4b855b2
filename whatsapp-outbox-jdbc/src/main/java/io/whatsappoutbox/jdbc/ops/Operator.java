package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.internal.Violations;
import java.util.regex.Pattern;

/**
 * Who makes a change and why: written to {@code outbox_audit} with every change, and the name to
 * the touched rows' {@code updated_by}.
 *
 * @param name a person or a job ({@code jdoe}, {@code jdoe@example.com})
 * @param reason the ticket or the reason ({@code INC-4312: Meta outage 10:05-10:40})
 */
public record Operator(String name, String reason) {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:+-]*");
    static final String NAME_RULE = "1 to 64 letters, digits, '.', '_', '@', ':', '+', '-', starting with a letter or digit";
    static final int REASON_MIN = 3;
    static final int REASON_MAX = 500;

    public Operator {
        Violations v = new Violations();
        v.text("operator", name, 64, NAME, NAME_RULE);
        if (v.requirePresent("reason", reason)) {
            int length = Violations.length(reason.strip());
            if (length < REASON_MIN || length > REASON_MAX) {
                v.add("reason", "has " + length + " characters",
                        REASON_MIN + " to " + REASON_MAX + " characters: a ticket or a sentence");
            } else if (reason.codePoints().anyMatch(Character::isISOControl)) {
                v.add("reason", "holds control characters", "one line of printable text");
            }
        }
        v.throwIfAny("operator");
        reason = reason.strip();
    }

    public static Operator of(String name, String reason) {
        return new Operator(name, reason);
    }
}
