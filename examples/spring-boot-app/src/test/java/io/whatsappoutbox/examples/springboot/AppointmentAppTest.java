package io.whatsappoutbox.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's Spring Boot example, as its command runs it. */
class AppointmentAppTest {

    @Test
    void theCommittedBookingsReminderIsSentAndTheRolledBackOneNeverExisted() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int exit = AppointmentApp.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("SENT as wamid.example-1").contains("received 1 send(s)")
                .contains("0 reminder row, 0 send")
                .containsPattern("trace: booking ([0-9a-f]{32}) -> send \\1" + System.lineSeparator())
                .endsWith("OK: one reminder sent, the rolled-back one never existed"
                        + System.lineSeparator())
                .doesNotContain("+33612345678").doesNotContain("+33698765432");
    }
}
