package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The file every line the library logs goes to in this module's tests (logback-test.xml), which
 * LogScan checks in {@code verify}: the suite asserts that its fault paths were logged there, so
 * the scan covers errors, dead letters and signature failures, not only the happy path.
 */
final class LibraryLog {
    static final Path DIR = Path.of("target", "test-logs");
    static final Path FILE = DIR.resolve("whatsapp-outbox.log");

    private LibraryLog() {}

    static String text() {
        try {
            return Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long count(String fragment) {
        String text = text();
        long n = 0;
        for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
            n++;
        }
        return n;
    }

    /** Waits for the library to have logged {@code fragment} (logging is asynchronous to the test). */
    static void awaitLogged(String fragment) {
        Eventually.await("the library log holds '" + fragment + "'", Duration.ofSeconds(30),
                () -> text().contains(fragment));
        assertThat(count(fragment)).isPositive();
    }
}
