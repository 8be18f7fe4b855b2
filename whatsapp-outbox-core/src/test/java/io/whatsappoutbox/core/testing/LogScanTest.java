package io.whatsappoutbox.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogScanTest {

    @Test
    void findsSecretsAndFullNumbersButNotMaskedOnes() {
        assertThat(LogScan.problem("Message 1 of org o to +336****5678 accepted")).isNull();
        assertThat(LogScan.problem("Message 1 of org o to +33612345678 accepted")).contains("phone");
        assertThat(LogScan.problem("from 33612345678")).contains("phone");
        assertThat(LogScan.problem("phone number id 100000000000001, message 42, at 1749416383")).isNull();
        assertThat(LogScan.problem("token EAAJtoken-org-1-SECRET refused")).contains("secret");
        assertThat(LogScan.problem("Authorization: Bearer abcdefgh1234")).contains("secret");
        assertThat(LogScan.problem("signature sha256=" + "a".repeat(64))).contains("secret");
    }

    @Test
    void findsShortAndFormattedNumbers() {
        assertThat(LogScan.problem("to +12345678 refused")).contains("phone");
        assertThat(LogScan.problem("to +1 415-555-0100 refused")).contains("phone");
        assertThat(LogScan.problem("to +1 (415) 555-0100 refused")).contains("phone");
        assertThat(LogScan.problem("to +33 6 12 34 56 78 refused")).contains("phone");
        assertThat(LogScan.problem("to 06 12 34 56 78 refused")).contains("phone");
        assertThat(LogScan.problem("to (415) 555-0100 refused")).contains("phone");
        assertThat(LogScan.problem("to +1****78 and +1 4****0100 refused")).isNull();
        assertThat(LogScan.problem("10:00:00.123 at 2026-11-28T10:00:00Z, 3 of 17 in 1200 ms, v3.55.0")).isNull();
    }

    @Test
    void findsBoundValuesAndMessageWords() {
        assertThat(LogScan.problem("UnableToExecuteStatementException: duplicate [statement:\"INSERT ...\", "
                + "arguments:{positional:{}, named:{to:x}}]")).contains("bound values");
        assertThat(LogScan.problem("claimed OutboundMessage[id=1, content=Text[body=hello, previewUrl=false]]"))
                .contains("content");
        assertThat(LogScan.problem("InboundMessage[orgId=o, text=STOP please]")).contains("inbound");
        assertThat(LogScan.problem("InboundMessage[orgId=o, text=4 chars, payload=null]")).isNull();
        assertThat(LogScan.problem("OutboundMessage[id=1, content=TEMPLATE(appointment_reminder)]")).isNull();
    }

    @Test
    void failsOnTheFirstBadLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clean.log"), "all good\n");
        LogScan.main(new String[] {dir.toString()});
        Files.writeString(dir.resolve("bad.log"), "ok\nsending to +33612345678\n");
        assertThatThrownBy(() -> LogScan.main(new String[] {dir.toString()}))
                .hasMessageContaining("bad.log:2: an unmasked phone number");
    }
}
