package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's whole story, in a fast variant: it must keep passing as the library changes. */
class DemoStoryTest {

    @Test
    void theStoryRunsToItsEndWithNothingLostOrStuck() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        DemoConfig config = DemoConfig.fromEnvironment(Map.of()).withPort(0);
        DemoStory.Outcome outcome;
        try (DemoStack stack = DemoStack.start(config, out::println)) {
            outcome = new DemoStory(stack, out, 150).run();
            // rolled back transactions left no message behind; committed ones are all there
            long stored = stack.outbox.jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM outbound_message WHERE idempotency_key LIKE 'demo-%' AND fallback_of IS NULL")
                    .mapTo(Long.class).one());
            assertThat(stored).isEqualTo(outcome.committed());
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        assertThat(outcome.rolledBack()).isPositive();
        assertThat(outcome.lostOrStuck()).isZero();
        assertThat(outcome.fallbacks()).isPositive();
        assertThat(outcome.signatureFailures()).isEqualTo(1.0);
        assertThat(outcome.statusCounts()).containsKeys("READ", "FAILED", "DELIVERED").doesNotContainKeys("QUEUED", "SENDING");
        assertThat(outcome.crmRequestsSeen()).hasSize(3);
        assertThat(outcome.crmRequestsSeen().get(0)).isEqualTo("template new_listing_alert: header image, body text x2,"
                + " button url 0, button quick_reply 1");
        assertThat(outcome.crmRequestsSeen().get(1)).isEqualTo("location Agence du Port");
        assertThat(outcome.crmRequestsSeen().get(2)).startsWith("text, in reply to wamid.IN");
        assertThat(text).contains("Meta received: location Agence du Port");
        assertThat(text).contains("Dead letter report").contains("dry run:").contains("SMS fallback(s)")
                .contains("forged signature: refused").contains("nothing is lost or stuck");
    }

    @Test
    void theDefaultModeExitsZero() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code = DemoApp.run(Map.of(), new PrintStream(buffer, true, StandardCharsets.UTF_8), 30);
        assertThat(code).isZero();
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("OUTBOX_ENCRYPTION_KEY is unset")
                .as("the generated key is never printed").doesNotContainPattern("[A-Za-z0-9+/]{43}=");
    }
}
