package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void flattensControlCharactersAndBlankRuns() {
        assertThat(SafeText.clean("  a\r\n\tb\u0000\u001b[31mc  ")).isEqualTo("a b [31mc");
    }

    @Test
    void cutsLongTextWithAnEllipsis() {
        assertThat(SafeText.clean("x".repeat(1000))).hasSize(SafeText.MAX + 3).endsWith("...");
        assertThat(SafeText.clean("y".repeat(SafeText.MAX))).hasSize(SafeText.MAX);
    }

    @Test
    void neverSplitsASurrogatePair() {
        String cut = SafeText.clean("😀".repeat(300));
        assertThat(cut.codePoints().filter(cp -> cp >= 0xD800 && cp <= 0xDFFF).count()).isZero();
    }

    @Test
    void masksNumbersWithOrWithoutPlusAndSecrets() {
        assertThat(SafeText.redact("to +33612345678 or 33612345678 with EAAJsecret", "EAAJsecret"))
                .isEqualTo("to +336****5678 or 3361****5678 with ****");
        assertThat(SafeText.redact("The 'To' number +15005550001 is not a valid phone number."))
                .isEqualTo("The 'To' number +150****0001 is not a valid phone number.");
    }

    @Test
    void keepsErrorCodesAndLinks() {
        String text = "(#131047) Re-engagement message, see https://www.twilio.com/docs/errors/21211 (status 400)";
        assertThat(SafeText.redact(text)).isEqualTo(text);
    }

    @Test
    void removesTheSecretBeforeMaskingNumbers() {
        assertThat(SafeText.redact("token=0123456789abcdef0123456789abcdef!", "0123456789abcdef0123456789abcdef"))
                .isEqualTo("token=****!");
    }

    @Test
    void keepsNullsNull() {
        assertThat(SafeText.clean(null)).isNull();
        assertThat(SafeText.redact(null)).isNull();
    }
}
