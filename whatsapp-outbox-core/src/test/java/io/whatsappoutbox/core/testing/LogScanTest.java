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
    void failsOnTheFirstBadLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clean.log"), "all good\n");
        LogScan.main(new String[] {dir.toString()});
        Files.writeString(dir.resolve("bad.log"), "ok\nsending to +33612345678\n");
        assertThatThrownBy(() -> LogScan.main(new String[] {dir.toString()}))
                .hasMessageContaining("bad.log:2: an unmasked phone number");
    }
}
