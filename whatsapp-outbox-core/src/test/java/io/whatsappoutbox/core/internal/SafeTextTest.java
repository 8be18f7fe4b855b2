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
                .isEqualTo("to +336****5678 or 336****5678 with ****");
        assertThat(SafeText.redact("The 'To' number +15005550001 is not a valid phone number."))
                .isEqualTo("The 'To' number +150****0001 is not a valid phone number.");
    }

    @Test
    void masksFormattedNumbers() {
        assertThat(SafeText.redact("call +1 415-555-0100 now")).isEqualTo("call +1 4****0100 now");
        assertThat(SafeText.redact("to +1 (415) 555-0100.")).doesNotContain("555").doesNotContain("415) 5");
        assertThat(SafeText.redact("+33 6 12 34 56 78 refused")).doesNotContain("12 34 56").endsWith(" refused");
        assertThat(SafeText.redact("number 06 12 34 56 78 and (415) 555-0100"))
                .doesNotContain("34 56").doesNotContain("555-0");
        assertThat(SafeText.redact("+44.20.7946.0958")).doesNotContain("7946");
    }

    @Test
    void leavesDatesTimesAndVersionsAlone() {
        String text = "lease until 2026-11-28 10:00:00+00, driver 42.7.4, retry in 30 s, code 131047";
        assertThat(SafeText.redact(text)).isEqualTo(text);
    }

    @Test
    void describesAnExceptionWithTheNumbersItQuotesMasked() {
        RuntimeException e = new IllegalStateException("Key (to_recipient)=(+33612345678) already exists.");
        assertThat(SafeText.describe(e)).isEqualTo("IllegalStateException: Key (to_recipient)=(+336****5678) already exists.");
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

    @Test
    void anIdKeepsOnlyItsPrintableCharactersAndCleaningItAgainChangesNothing() {
        String id = SafeText.id("wamid.\u0000HB\u0007gL\r\n M\u200b\uD83D\uDC4B");
        assertThat(id).isEqualTo("wamid.HBgLM\uD83D\uDC4B");
        assertThat(SafeText.id(id)).isEqualTo(id);
        assertThat(SafeText.id("i".repeat(1000))).hasSize(SafeText.MAX_ID);
        assertThat(SafeText.id(null)).isNull();
    }

    @Test
    void aProviderAnswerIsCleanedWhereItEntersTheOutbox() {
        io.whatsappoutbox.core.ProviderError e = new io.whatsappoutbox.core.ProviderError("131\u000026", 400,
                "bad\u0000 text\n", "de\u0000tails", "tr\u0000ace", null);
        assertThat(e.code()).isEqualTo("13126");
        assertThat(e.message()).isEqualTo("bad text");
        assertThat(e.details()).isEqualTo("de tails");
        assertThat(e.traceId()).isEqualTo("trace");
        assertThat(((io.whatsappoutbox.core.spi.SendResult.Accepted) io.whatsappoutbox.core.spi.SendResult
                .accepted("SM\u0000123")).providerMessageId()).isEqualTo("SM123");
    }
}
