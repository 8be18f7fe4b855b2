package io.whatsappoutbox.examples.demo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A local Twilio-compatible SMS API (WireMock): it accepts every message (201 with an SM sid) and
 * posts a signed {@code delivered} status callback to the message's StatusCallback URL; an outage
 * makes every send fail until it is switched off.
 */
final class SmsSimulator implements AutoCloseable {
    private final WireMockServer server;
    private final Callbacks callbacks;
    private final Secret authToken;
    private final AtomicReference<Integer> outageCode = new AtomicReference<>();
    private volatile boolean outage;
    private final AtomicInteger sends = new AtomicInteger();

    SmsSimulator(Secret authToken, Callbacks callbacks) {
        this.authToken = authToken;
        this.callbacks = callbacks;
        this.server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Transformer()).containerThreads(16));
        server.start();
        server.stubFor(post(urlPathMatching("/2010-04-01/Accounts/[A-Za-z0-9]+/Messages.json"))
                .willReturn(aResponse().withTransformers(Transformer.NAME)));
    }

    String baseUrl() {
        return server.baseUrl();
    }

    void outage(boolean enabled, Integer errorCode) {
        outageCode.set(errorCode);
        outage = enabled;
    }

    int sends() {
        return sends.get();
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        static final String NAME = "sms-simulator";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            sends.incrementAndGet();
            Map<String, String> form = parse(event.getRequest().getBodyAsString());
            if (outage) {
                Integer code = outageCode.get();
                return code == null ? ResponseDefinitionBuilder.responseDefinition().withStatus(503).build()
                        : json(400, "{\"code\":" + code + ",\"message\":\"Simulated outage\",\"more_info\":"
                                + "\"https://www.twilio.com/docs/errors/" + code + "\",\"status\":400}");
            }
            String to = form.getOrDefault("To", "");
            String sid = "SM" + HexFormat.of().formatHex(randomBytes());
            String callback = form.get("StatusCallback");
            if (callback != null) {
                Map<String, String> params = new TreeMap<>(Map.of("MessageSid", sid, "SmsSid", sid,
                        "MessageStatus", "delivered", "SmsStatus", "delivered", "To", to,
                        "From", form.getOrDefault("From", ""), "ApiVersion", "2010-04-01"));
                String signed = callback + params.entrySet().stream().map(e -> e.getKey() + e.getValue())
                        .collect(Collectors.joining());
                byte[] body = params.entrySet().stream()
                        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&")).getBytes(StandardCharsets.UTF_8);
                callbacks.post(URI.create(callback), Duration.ofMillis(30 + ThreadLocalRandom.current().nextInt(200)),
                        "application/x-www-form-urlencoded", body, Map.of("X-Twilio-Signature",
                                Hmac.sha1Base64(authToken.bytes(), signed.getBytes(StandardCharsets.UTF_8))));
            }
            return json(201, "{\"sid\":\"" + sid + "\",\"status\":\"queued\",\"to\":\"" + to
                    + "\",\"num_segments\":\"1\",\"error_code\":null,\"error_message\":null}");
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body).build();
    }

    private static Map<String, String> parse(String body) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop();
    }
}
