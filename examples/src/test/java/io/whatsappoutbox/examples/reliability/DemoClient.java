package io.whatsappoutbox.examples.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.examples.cli.CliEnvironment;
import io.whatsappoutbox.examples.cli.OutboxCli;
import io.whatsappoutbox.examples.demo.DemoHost;
import io.whatsappoutbox.jdbc.testing.Sql;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Calls the demo host's HTTP API and runs the operator CLI against its database, as a user would. */
final class DemoClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final DemoHost host = DemoHost.shared();
    final Sql sql = new Sql(host.dataSource());
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    record Answer(int status, String contentType, JsonNode body, String raw) {
        List<String> fields() {
            return body == null ? List.of() : body.path("errors").findValuesAsText("field");
        }
    }

    record Run(int exitCode, String out, String err) {}

    Answer call(String method, String path, String org, String token, byte[] body) throws Exception {
        return call(method, path, org, token, body, null);
    }

    /** With {@code signature} sent as Meta's {@code X-Hub-Signature-256}. */
    Answer call(String method, String path, String org, String token, byte[] body, String signature) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(host.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        if (signature != null) {
            r.header("X-Hub-Signature-256", signature);
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = null;
        try {
            node = JSON.readTree(response.body());
        } catch (Exception e) {
            // not JSON
        }
        return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), node,
                response.body());
    }

    Answer api(String method, String path, String org, String body) throws Exception {
        return call(method, path, org, DemoHost.ADMIN_TOKEN,
                body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = Map.of("OUTBOX_JDBC_URL", host.jdbcUrl(), "OUTBOX_JDBC_USER", "postgres",
                "OUTBOX_JDBC_PASSWORD", "postgres", "USER", "oncall");
        int code = OutboxCli.run(CliEnvironment.of(env, new StringReader(""), new PrintWriter(out, true),
                new PrintWriter(err, true)), args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Waits until the host's background work (sends, simulated receipts) has settled. */
    void awaitQuiet() {
        Eventually.await("the demo host is quiet", Duration.ofMinutes(1), () -> {
            TableSnapshot before = TableSnapshot.of(sql);
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TableSnapshot.of(sql).equals(before)
                    && sql.count("SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')") == 0;
        });
    }
}
