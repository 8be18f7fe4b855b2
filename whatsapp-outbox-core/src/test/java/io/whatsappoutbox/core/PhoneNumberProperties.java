package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PhoneNumberProperties {
    /** The rule as the documentation writes it; the check is a hand-written scan of the same rule. */
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

    @Property(tries = 5000)
    void acceptsExactlyWhatTheE164RuleAccepts(@ForAll("nearlyPhoneNumbers") String value) {
        boolean accepted;
        try {
            PhoneNumber.of(value);
            accepted = true;
        } catch (InvalidInputException e) {
            accepted = false;
        }
        assertThat(accepted).as(PhoneNumber.mask(value)).isEqualTo(E164.matcher(value).matches());
    }

    @Provide
    Arbitrary<String> nearlyPhoneNumbers() {
        // mostly digits and '+', some of what is close to them: the boundaries are where a scan goes wrong
        Arbitrary<String> plusDigits = Arbitraries.strings().numeric().ofMinLength(4).ofMaxLength(17).map(d -> "+" + d);
        Arbitrary<String> anything = Arbitraries.strings().withChars("+0123456789 -a\u0660\uff10").ofMaxLength(18);
        return Arbitraries.oneOf(plusDigits, anything)
                .edgeCases(e -> e.add("+1234567").add("+123456789012345").add("+1234567890123456").add("+0123456"));
    }
}
