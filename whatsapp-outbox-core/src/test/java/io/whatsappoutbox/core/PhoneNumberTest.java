package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PhoneNumberTest {

    @ParameterizedTest
    @ValueSource(strings = {"+33612345678", "+14155550123", "+6834002", "+123456789012345"})
    void acceptsE164Numbers(String value) {
        assertThat(PhoneNumber.of(value).value()).isEqualTo(value);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "33612345678", "+033612345678", "+33 6 12 34 56 78", "+336-12345678",
            "+1234567890123456", "+12345", "+33612345678\n", "tel:+33612345678", "+3361234567a",
            "'; DROP TABLE outbound_message; --"})
    void rejectsAnythingElseNamingTheField(String value) {
        assertThatThrownBy(() -> PhoneNumber.of(value))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns("phoneNumber")).isTrue();
                    assertThat(e.getMessage()).contains("phoneNumber");
                });
    }

    @Test
    void masksTheMiddleOfTheNumberInToStringAndErrors() {
        PhoneNumber n = PhoneNumber.of("+33612345678");
        assertThat(n.masked()).isEqualTo("+336****5678");
        assertThat(n.toString()).isEqualTo("+336****5678").doesNotContain("12345678");
        assertThatThrownBy(() -> PhoneNumber.of("+33612345678999999"))
                .hasMessageNotContaining("12345678999999")
                .hasMessageContaining("+336****9999");
    }

    @Test
    void aShortNumberShowsFewOfItsDigits() {
        assertThat(PhoneNumber.of("+12345678").masked()).isEqualTo("+1****78");
        assertThat(PhoneNumber.of("+1234567").masked()).isEqualTo("+1****67");
        assertThat(PhoneNumber.of("+4930123456").masked()).isEqualTo("+4****56");
        for (String raw : new String[] {"+1234567", "+12345678", "+123456789", "+1234567890", "+12345678901",
                "+123456789012345"}) {
            String masked = PhoneNumber.of(raw).masked();
            long shown = masked.chars().filter(Character::isDigit).count();
            assertThat(raw.length() - 1 - shown).as(masked).isGreaterThanOrEqualTo(4);
            assertThat(shown).as(masked).isLessThanOrEqualTo((raw.length() - 1) * 2 / 3);
        }
    }

    @Test
    void readsProviderNumbersWithoutPlus() {
        assertThat(PhoneNumber.fromProvider("33612345678").value()).isEqualTo("+33612345678");
        assertThat(PhoneNumber.fromProvider("+33612345678").digits()).isEqualTo("33612345678");
    }
}
