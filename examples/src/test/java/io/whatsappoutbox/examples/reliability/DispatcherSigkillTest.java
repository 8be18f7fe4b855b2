package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.examples.reliability.RecordingMetaStub.Call;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dispatchers in child JVMs killed with SIGKILL mid-batch, again and again, a fresh one started
 * each time, then a last one left to drain the queue: nothing is lost or stuck, and every send the
 * provider got twice was first made by a process killed within seconds of that send, before it
 * could write the result (the one duplicate window of docs/delivery-semantics.md).
 * {@code -Dreliability.soak=true} runs 100,000 messages and 100 kills.
 */
class DispatcherSigkillTest {
    static final boolean SOAK = Boolean.getBoolean("reliability.soak");
    static final int MESSAGES = SOAK ? 100_000 : 10_000;
    static final int KILLS = SOAK ? 100 : 22;
    /** A send whose result a kill prevented happened at most this long before the kill. */
    static final Duration CRASH_WINDOW = Duration.ofSeconds(5);
    /** A request already on the wire may be read by the stub just after the kill. */
    static final Duration ARRIVAL_SLACK = Duration.ofMillis(500);
    static final String ORG = "org-kill";
    static final String PHONE_NUMBER_ID = "100000000000077";

    final Map<Integer, Long> killedAtNanos = new HashMap<>();
    final List<Long> inFlightAtKill = new ArrayList<>();

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void killedDispatchersLoseNothingAndDuplicateOnlyInsideCrashWindows() throws Exception {
        String key = EncryptionKeys.generateBase64Key();
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase();
                JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds)
                        .encryptionKeys(EncryptionKeys.fromBase64("k1", key)).build();
                RecordingMetaStub stub = new RecordingMetaStub()) {
            Sql sql = new Sql(ds);
            deleteOldChildLogs();
            seed(outbox, sql);
            Random random = new Random(20_260_101L);
            int process = 0;
            // the next process boots while the current one sends, so a kill is followed by a fresh
            // dispatcher at once rather than after a JVM start
            Process next = start(process, ds.getJdbcUrl(), key, stub);
            while (killedAtNanos.size() < KILLS) {
                int target = 50 + random.nextInt(100);
                if (sql.count("SELECT count(*) FROM outbound_message WHERE status = 'QUEUED'") < target + 500) {
                    break; // too little left to kill mid-batch: the last process drains it
                }
                Process current = next;
                say(current, "go");
                next = start(process + 1, ds.getJdbcUrl(), key, stub);
                killMidBatch(current, process++, target, stub, sql);
            }
            say(next, "go");
            Eventually.await("queue drained by the last process", SOAK ? Duration.ofMinutes(40) : Duration.ofMinutes(5),
                    () -> sql.count("SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')") == 0);
            say(next, "stop");
            assertThat(next.waitFor(60, TimeUnit.SECONDS)).as("the last process closes").isTrue();
            assertThat(next.exitValue()).isZero();
            verify(sql, stub.calls(), process + 1);
        }
    }

    private void seed(JdbcOutbox outbox, Sql sql) {
        outbox.providerConfigs().save(ProviderConfig.of(ORG, PHONE_NUMBER_ID, Secret.of("EAAKillTestToken0042"),
                Secret.of("app-secret-kill-test")), "reliability-test");
        sql.update("""
                INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)
                SELECT ?, '+336' || lpad(i::text, 8, '0'), 'WHATSAPP', 'GRANTED', now(), now()
                  FROM generate_series(0, ? - 1) i""", ORG, MESSAGES);
        for (int from = 0; from < MESSAGES; from += 2000) {
            outbox.enqueueAll(IntStream.range(from, Math.min(MESSAGES, from + 2000))
                    .mapToObj(i -> OutboundMessageRequest.whatsapp(ORG, Requests.phone(i))
                            .template("appointment_reminder", "fr", "rdv " + i).idempotencyKey("kill-" + i).build())
                    .toList());
        }
    }

    /** Lets a started child send {@code target} messages and kills it while sends are in flight. */
    private void killMidBatch(Process p, int process, int target, RecordingMetaStub stub, Sql sql) throws Exception {
        Eventually.await("child " + process + " sends", Duration.ofMinutes(2),
                () -> stub.callsFrom(process) >= target || !p.isAlive());
        assertThat(p.isAlive()).as("child %d died on its own: see %s", process, childOutput(process)).isTrue();
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no close, no result written
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        killedAtNanos.put(process, System.nanoTime());
        inFlightAtKill.add(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENDING' AND locked_by LIKE ?",
                "child-" + process + ":%"));
    }

    private static Process start(int process, String jdbcUrl, String key, RecordingMetaStub stub) throws IOException {
        Files.createDirectories(childOutput(process).getParent());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a quick start matters more than peak speed for a process killed within seconds
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx256m",
                // its library lines go to a file of its own in target/test-logs: LogScan reads them too
                "-Dlogback.configurationFile=reliability/logback-child.xml",
                "-Dchild.log=" + LibraryLog.DIR.toAbsolutePath().resolve("sigkill-child-" + process + ".log"),
                "-cp", System.getProperty("java.class.path"), ChildDispatcherMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(childOutput(process).toFile());
        pb.environment().put("CHILD_INSTANCE", "child-" + process);
        pb.environment().put("CHILD_JDBC_URL", jdbcUrl);
        pb.environment().put("CHILD_ENCRYPTION_KEY", key);
        pb.environment().put("CHILD_META_BASE_URL", stub.baseUrl(process));
        return pb.start();
    }

    private static void say(Process p, String line) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static Path childOutput(int process) {
        return Figures.DIR.toAbsolutePath().resolve("sigkill-children").resolve("child-" + process + ".txt");
    }

    private static void deleteOldChildLogs() throws IOException {
        Files.createDirectories(LibraryLog.DIR);
        try (Stream<Path> files = Files.list(LibraryLog.DIR)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("sigkill-child-")).toList()) {
                Files.delete(f);
            }
        }
    }

    private void verify(Sql sql, List<Call> calls, int processes) throws IOException {
        Map<Integer, List<Call>> byRecipient = calls.stream().collect(Collectors.groupingBy(Call::recipient,
                TreeMap::new, Collectors.collectingAndThen(Collectors.toList(), l -> l.stream()
                        .sorted(Comparator.comparingLong(Call::arrivedNanos)).toList())));
        List<Map<String, Object>> rows = sql.rows("SELECT to_recipient, status, error_code, provider_message_id"
                + " FROM outbound_message WHERE org_id = ?", ORG);
        assertThat(rows).as("every committed message is still there").hasSize(MESSAGES);
        Map<String, Long> deadLetters = new TreeMap<>();
        long sent = 0;
        for (Map<String, Object> row : rows) {
            int recipient = Integer.parseInt(((String) row.get("to_recipient")).substring(4));
            List<Call> own = byRecipient.getOrDefault(recipient, List.of());
            String status = (String) row.get("status");
            if (status.equals("SENT")) {
                sent++;
                assertThat(own).as("the provider gave the stored wamid of recipient %d", recipient)
                        .extracting(Call::wamid).contains((String) row.get("provider_message_id"));
            } else {
                assertThat(status).as("recipient %d", recipient).isEqualTo("FAILED");
                assertThat(row.get("error_code")).as("a dead letter states its reason").isNotNull();
                deadLetters.merge((String) row.get("error_code"), 1L, Long::sum);
            }
            if (recipient % 100 == 99) {
                assertThat(status).as("Meta refuses recipient %d", recipient).isEqualTo("FAILED");
            }
        }
        List<Long> windowsMillis = new ArrayList<>();
        long duplicateCalls = 0;
        long messagesSentTwice = 0;
        for (List<Call> own : byRecipient.values()) {
            if (own.size() < 2) {
                continue;
            }
            messagesSentTwice++;
            duplicateCalls += own.size() - 1;
            // every call but the last had its result lost: its process was killed soon after it
            for (Call lost : own.subList(0, own.size() - 1)) {
                Long killed = killedAtNanos.get(lost.process());
                assertThat(killed).as("call to recipient %d was made by process %d, which was never killed",
                        lost.recipient(), lost.process()).isNotNull();
                long beforeKill = killed - lost.arrivedNanos();
                assertThat(beforeKill).as("duplicate of recipient %d inside the crash window of process %d",
                        lost.recipient(), lost.process())
                        .isBetween(-ARRIVAL_SLACK.toNanos(), CRASH_WINDOW.toNanos());
                windowsMillis.add(beforeKill / 1_000_000);
            }
        }
        windowsMillis.sort(null);
        assertThat(killedAtNanos).as("kills").hasSizeGreaterThanOrEqualTo(KILLS);
        assertThat(inFlightAtKill.stream().filter(n -> n > 0).count()).as("kills that caught sends in flight")
                .isGreaterThanOrEqualTo(KILLS * 9L / 10);
        assertThat(sent + deadLetters.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(MESSAGES);
        Map<String, Object> inFlight = new LinkedHashMap<>();
        inFlight.put("min", inFlightAtKill.stream().mapToLong(Long::longValue).min().orElse(0));
        inFlight.put("mean", Math.round(inFlightAtKill.stream().mapToLong(Long::longValue).average().orElse(0)));
        inFlight.put("max", inFlightAtKill.stream().mapToLong(Long::longValue).max().orElse(0));
        Figures.of("sigkill").put("messages", MESSAGES).put("kills", killedAtNanos.size())
                .put("processesStarted", processes).put("messagesInFlightAtKill", inFlight)
                .put("providerCalls", calls.size()).put("sent", sent).put("deadLetters", deadLetters)
                .put("lost", MESSAGES - sent - deadLetters.values().stream().mapToLong(Long::longValue).sum())
                .put("stuck", sql.count("SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')"))
                .put("duplicateCalls", duplicateCalls).put("messagesSentMoreThanOnce", messagesSentTwice)
                .put("duplicatesOutsideACrashWindow", 0)
                .put("duplicateFirstCallBeforeKillMs", Map.of("min", windowsMillis.isEmpty() ? 0 : windowsMillis.get(0),
                        "median", windowsMillis.isEmpty() ? 0 : windowsMillis.get(windowsMillis.size() / 2),
                        "max", windowsMillis.isEmpty() ? 0 : windowsMillis.get(windowsMillis.size() - 1)))
                .put("crashWindowAllowedMs", CRASH_WINDOW.toMillis())
                .put("childLogLines", childLogLines())
                .write();
    }

    private static long childLogLines() throws IOException {
        try (Stream<Path> files = Files.list(LibraryLog.DIR)) {
            long lines = 0;
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("sigkill-child-")).toList()) {
                try (Stream<String> l = Files.lines(f, StandardCharsets.ISO_8859_1)) {
                    lines += l.count();
                }
            }
            assertThat(lines).as("the children logged to target/test-logs").isPositive();
            return lines;
        }
    }
}
