package io.whatsappoutbox.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar the build leaves in {@code target/}, run as an operator runs it: its own JVM, no Maven, no
 * project classpath. Runs after {@code package} (the {@code cli-jar-it} execution).
 */
class CliJarIT {
    static final Path JAR = Path.of(System.getProperty("cli.jar", "target/whatsapp-outbox-cli.jar")).toAbsolutePath();
    static final Path LAUNCHER = Path.of(System.getProperty("cli.launcher", "bin/whatsapp-outbox")).toAbsolutePath();
    static final String JAVA_HOME = System.getProperty("java.home");

    @TempDir
    Path dir;

    @Test
    void demoStatusAsJsonPrintsOneJsonDocumentOnStdoutAndNothingElse() throws Exception {
        // library logs on (INFO): they must go to stderr, not be merely silenced
        Run r = run(Map.of("OUTBOX_LOG_LEVEL", "INFO"), Path.of(JAVA_HOME, "bin", "java").toString(), "-jar",
                JAR.toString(), "--demo", "status", "--org", "demo-org-1", "--json");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(CliExit.OK);
        assertThat(r.err()).contains("INFO");
        assertThat(r.out()).doesNotContain("\u001b").startsWith("{");
        JsonNode j = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(r.out());
        List<String> fields = new ArrayList<>();
        j.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("asOf", "scope", "window", "statuses", "queuedNow", "sendingNow",
                "stuckQueued", "stuckSending", "stuckMessages");
        assertThat(j.get("scope").asText()).isEqualTo("demo-org-1");
        // what DemoDatabase seeds: one QUEUED due for hours, one SENDING with an expired lease
        assertThat(j.get("stuckQueued").asLong()).isEqualTo(1);
        assertThat(j.get("stuckSending").asLong()).isEqualTo(1);
    }

    @Test
    void theLauncherFindsTheCheckoutsJarAndAUsageErrorExitsTwoWithStdoutEmpty() throws Exception {
        Run r = run(Map.of("JAVA_HOME", JAVA_HOME), LAUNCHER.toString(), "status", "--org", "demo-org-1",
                "--no-such-option", "--json");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(CliExit.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("Unknown option: '--no-such-option'").contains("Usage: outbox status");
    }

    @Test
    void theLauncherNamesTheMissingJar() throws Exception {
        Path missing = dir.resolve("nowhere/whatsapp-outbox-cli.jar");
        Run r = run(Map.of("WHATSAPP_OUTBOX_CLI_JAR", missing.toString(), "JAVA_HOME", JAVA_HOME), LAUNCHER.toString(),
                "--version");

        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("error: no CLI jar at " + missing);
    }

    record Run(int exitCode, String out, String err) {}

    /** Runs a child process with this environment plus {@code env}, no stdin, its output captured apart. */
    Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("WHATSAPP_OUTBOX_CLI_JAR");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("still running after 3 minutes: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
