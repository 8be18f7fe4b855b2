package io.whatsappoutbox.examples.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A serve-mode stack of its own on a free port, and calls to it with the admin token. */
final class ServeStack implements AutoCloseable {
    static final String TOKEN = "test-admin-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    final DemoStack stack;
    private final String base;

    record Answer(int status, JsonNode body) {}

    private ServeStack(DemoStack stack) {
        this.stack = stack;
        this.base = "http://localhost:" + stack.http.port();
    }

    static ServeStack start() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of("OUTBOX_DEMO_MODE", "serve",
                "OUTBOX_DEMO_ADMIN_TOKEN", TOKEN)).withPort(0);
        return new ServeStack(DemoStack.start(config, new PrintStream(new ByteArrayOutputStream())::println));
    }

    /** {@code method path} with a JSON {@code body} (or none) for {@code org} (or no org header). */
    Answer api(String method, String path, String org, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json");
        if (org != null) {
            r.header("X-Org-Id", org);
        }
        HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    @Override
    public void close() {
        stack.close();
    }
}
