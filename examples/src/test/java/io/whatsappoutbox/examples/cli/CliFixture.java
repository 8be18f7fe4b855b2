package io.whatsappoutbox.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.OpsSeed;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A seeded database and a way to run the CLI in-process against it, capturing what it prints. */
final class CliFixture implements AutoCloseable {
    /** Nothing listens on port 1: the connection is refused at once. */
    static final String UNREACHABLE = "jdbc:postgresql://127.0.0.1:1/outbox";

    final HikariDataSource ds = TestDatabase.newMigratedDatabase();
    final JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).build();
    final OpsSeed seed = new OpsSeed(outbox);
    final Sql sql = seed.sql();
    final Instant now = Instant.now();

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    Instant ago(Duration d) {
        return now.minus(d);
    }

    Map<String, String> connection() {
        Map<String, String> env = new HashMap<>();
        env.put("OUTBOX_JDBC_URL", ds.getJdbcUrl());
        env.put("OUTBOX_JDBC_USER", "postgres");
        env.put("OUTBOX_JDBC_PASSWORD", "postgres");
        env.put("USER", "oncall");
        return env;
    }

    Run run(String... args) {
        return run(connection(), "", args);
    }

    Run runWithInput(String stdin, String... args) {
        return run(connection(), stdin, args);
    }

    static Run run(Map<String, String> env, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = OutboxCli.run(CliEnvironment.of(env, new StringReader(stdin), new PrintWriter(out, true),
                new PrintWriter(err, true)), args);
        return new Run(code, out.toString(), err.toString());
    }

    static String[] args(String... parts) {
        return parts;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public void close() {
        outbox.close();
        ds.close();
    }
}
