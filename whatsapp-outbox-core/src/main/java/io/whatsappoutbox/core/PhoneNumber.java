package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;

/**
 * A phone number in E.164 form ({@code +} then 7 to 15 digits, the first not zero).
 *
 * <p>{@link #toString()} is masked ({@code +336****5678}) so that a number logged by accident does
 * not identify a customer; {@link #value()} gives the full number to the code that must send to it.
 */
public record PhoneNumber(String value) {
    static final String RULE = "E.164: '+' then 7 to 15 digits, the first not 0, no spaces";

    public PhoneNumber {
        // every claimed row builds one: the valid case costs a scan of the characters, nothing more
        if (!isE164(value)) {
            Violations violations = new Violations();
            check(violations, "phoneNumber", value);
            violations.throwIfAny("phone number");
        }
    }

    /** Parses an E.164 number; throws {@link InvalidInputException} naming the field otherwise. */
    public static PhoneNumber of(String value) {
        return new PhoneNumber(value);
    }

    /**
     * Accepts a number as providers write it: with or without the leading {@code +} (Meta's
     * {@code wa_id} and {@code from} have none).
     */
    public static PhoneNumber fromProvider(String value) {
        if (value != null && !value.startsWith("+")) {
            return new PhoneNumber("+" + value);
        }
        return new PhoneNumber(value);
    }

    /** Records a violation under {@code field} when {@code value} is not E.164. */
    static void check(Violations violations, String field, String value) {
        if (violations.requirePresent(field, value)) {
            if (!isE164(value)) {
                violations.add(field, "'" + mask(value) + "' is not a valid E.164 number", RULE);
            }
        }
    }

    /** {@code +} then 7 to 15 ASCII digits, the first not zero. */
    private static boolean isE164(String value) {
        int n = value == null ? 0 : value.length();
        if (n < 8 || n > 16 || value.charAt(0) != '+' || value.charAt(1) == '0') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The number without its leading '+', as Meta's {@code wa_id} writes it. */
    public String digits() {
        return value.substring(1);
    }

    /** {@code +336****5678}: country code and first digit, then the last four. */
    public String masked() {
        return mask(value);
    }

    /**
     * Masks any string that may hold a phone number, valid or not, for logs and error messages:
     * from eleven characters after an optional '+' on, the first three and the last four show
     * ({@code +336****5678}); below, one and two ({@code +1****78}), so that a short number never
     * shows most of its digits.
     */
    public static String mask(String raw) {
        if (raw == null) {
            return "null";
        }
        String sign = raw.startsWith("+") ? "+" : "";
        String rest = raw.substring(sign.length());
        int n = rest.length();
        if (n <= 4) {
            return sign + "****";
        }
        if (n < 11) {
            return sign + rest.substring(0, 1) + "****" + rest.substring(n - 2);
        }
        return sign + rest.substring(0, 3) + "****" + rest.substring(n - 4);
    }

    @Override
    public String toString() {
        return masked();
    }
}
