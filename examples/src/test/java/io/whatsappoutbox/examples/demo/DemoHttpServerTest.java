package io.whatsappoutbox.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The demo's HTTP server on its own: what it logs of a request, and where it listens. */
class DemoHttpServerTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    DemoHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aFailedRequestIsLoggedWithTheNumbersOfItsPathMasked() throws Exception {
        server = new DemoHttpServer(DemoConfig.LOOPBACK, 0);
        server.serve(r -> {
            throw new IllegalStateException("boom");
        });
        Logger logger = (Logger) LoggerFactory.getLogger(DemoHttpServer.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port()
                    + "/api/v1/consents/+33612345678")).PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getFormattedMessage()).contains("/api/v1/consents/+336****5678")
                .doesNotContain("33612345678");
    }
}
