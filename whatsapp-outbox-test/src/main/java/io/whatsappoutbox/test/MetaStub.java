package io.whatsappoutbox.test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.test.internal.ReceivedSends;
import io.whatsappoutbox.test.internal.Script;
import io.whatsappoutbox.test.internal.Waits;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Meta WhatsApp Cloud API on WireMock: {@code POST /v<version>/<phone-number-id>/messages}
 * answered as Meta does (a {@code wamid}, or Meta's error body with its HTTP status), every send kept
 * for assertions, and the status receipts Meta would post next, signed with the app secret.
 *
 * <p>Point the host's {@code MetaCloudProvider} at {@link #baseUrl()} and save {@link #providerConfig}
 * for its org. Reset before each test by the kit: it accepts every send again and forgets the sends.
 */
public final class MetaStub {
    /** The business phone number id of {@link #providerConfig}; the stub answers any other too. */
    public static final String PHONE_NUMBER_ID = "100000000000001";
    /** The WhatsApp Business Account id the receipts name. */
    public static final String BUSINESS_ACCOUNT_ID = "102290129340398";
    /** The access token of {@link #providerConfig}; the stub does not check it. */
    public static final Secret ACCESS_TOKEN = Secret.of("EAAKitAccessToken0001");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("/v[0-9.]+/([0-9]+)/messages");

    private final Secret appSecret;
    private final Clock clock;
    private final Script<MetaError> script = new Script<>();
    private final ReceivedSends<MetaSend> sends;
    private final String transformer = "outbox-kit-meta-" + UUID.randomUUID();
    private WireMockServer server;

    MetaStub(Secret appSecret, Clock clock, Duration timeout) {
        this.appSecret = appSecret;
        this.clock = clock;
        this.sends = new ReceivedSends<>("the Meta stub", MetaSend::to, timeout);
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Answers()));
        server.start();
        server.stubFor(post(urlPathMatching(PATH.pattern())).willReturn(aResponse().withTransformers(transformer)));
    }

    synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** Accepts every send again, without delay, and forgets the sends received. */
    public void reset() {
        script.reset();
        sends.clear();
    }

    /** The stub's URL, for {@code MetaCloudProvider.builder().baseUrl(...)}. */
    public String baseUrl() {
        WireMockServer s = server;
        if (s == null) {
            throw new IllegalStateException("the Meta stub runs only while the kit's test runs");
        }
        return s.baseUrl();
    }

    /** The app secret the receipts are signed with. */
    public Secret appSecret() {
        return appSecret;
    }

    /**
     * The provider configuration for {@code orgId} on this stub: {@link #PHONE_NUMBER_ID}, a test
     * access token and the stub's app secret. Save it with {@code outbox.providerConfigs().save(...)}.
     */
    public ProviderConfig providerConfig(String orgId) {
        return ProviderConfig.of(orgId, PHONE_NUMBER_ID, ACCESS_TOKEN, appSecret);
    }

    /** The next sends, one each, are answered with these errors in order; then the standing answer. */
    public void failNext(MetaError... errors) {
        script.failNext(Arrays.asList(errors));
    }

    /** Every send from now on is answered with {@code error}, until {@link #reset}. */
    public void failAll(MetaError error) {
        script.failAll(error);
    }

    /** Every answer from now on comes after {@code delay} (a slow Meta; over a provider's timeout, a lost answer). */
    public void delayAnswers(Duration delay) {
        script.delay(delay);
    }

    /** Every send received since the last reset, oldest first. */
    public List<MetaSend> sends() {
        return sends.all();
    }

    /** The sends received for {@code to} ({@code +33612345678}), oldest first. */
    public List<MetaSend> sendsTo(String to) {
        return sends.to(to);
    }

    /** Fails unless exactly {@code expected} sends to {@code to} were received, now. */
    public void assertSendsTo(String to, int expected) {
        sends.assertTo(to, expected);
    }

    /**
     * Waits until {@code expected} sends to {@code to} were received, then fails if there are more,
     * and returns them.
     */
    public List<MetaSend> awaitSendsTo(String to, int expected) {
        return sends.awaitTo(to, expected);
    }

    /** Waits until {@code expected} sends in all were received, then fails if there are more. */
    public List<MetaSend> awaitSends(int expected) {
        return sends.awaitAll(expected);
    }

    /** The {@code sent} receipt Meta would post for the message it answered with {@code wamid}. */
    public SignedWebhook sent(String wamid) {
        return receipt(wamid, "sent", null);
    }

    /** The {@code delivered} receipt for {@code wamid}. */
    public SignedWebhook delivered(String wamid) {
        return receipt(wamid, "delivered", null);
    }

    /** The {@code read} receipt for {@code wamid}. */
    public SignedWebhook read(String wamid) {
        return receipt(wamid, "read", null);
    }

    /** The {@code failed} receipt for {@code wamid}, carrying {@code error} (such as {@link MetaError#UNDELIVERABLE}). */
    public SignedWebhook failed(String wamid, MetaError error) {
        return receipt(wamid, "failed", Objects.requireNonNull(error, "error"));
    }

    private SignedWebhook receipt(String wamid, String status, MetaError error) {
        MetaSend send = sends.first(s -> wamid != null && wamid.equals(s.wamid()))
                .orElseThrow(() -> new IllegalArgumentException("wamid: the Meta stub answered no send with '"
                        + wamid + "' since its last reset"));
        return WebhookSigner.meta(appSecret, MetaPayloads.statusWebhook(send, status, error, clock.instant()));
    }

    private MetaSend record(String path, String body, MetaError error) {
        Matcher m = PATH.matcher(path);
        String phoneNumberId = m.matches() ? m.group(1) : null;
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        String to = root == null ? null : text(root, "to");
        if (to != null && !to.startsWith("+")) {
            to = "+" + to;
        }
        String type = root == null ? null : text(root, "type");
        String template = root == null ? null : text(root.path("template"), "name");
        String wamid = error == null ? "wamid.HBgL" + UUID.randomUUID().toString().replace("-", "") : null;
        MetaSend send = new MetaSend(phoneNumberId, to, type, template, body, wamid, error);
        sends.add(send);
        return send;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private ResponseDefinition answer(MetaSend send, Duration delay) {
        ResponseDefinitionBuilder b = aResponse().withHeader("Content-Type", "application/json");
        if (send.error() == null) {
            ObjectNode root = JSON.createObjectNode().put("messaging_product", "whatsapp");
            ArrayNode contacts = root.putArray("contacts");
            if (send.to() != null) {
                contacts.addObject().put("input", send.to()).put("wa_id", send.to().substring(1));
            }
            ObjectNode message = root.putArray("messages").addObject().put("id", send.wamid());
            if ("template".equals(send.type())) {
                message.put("message_status", "accepted");
            }
            b.withStatus(200).withBody(root.toString());
        } else {
            b.withStatus(send.error().httpStatus()).withBody(MetaPayloads.errorBody(send.error()));
            if (send.error().retryAfter() != null) {
                b.withHeader("Retry-After", Long.toString(send.error().retryAfter().getSeconds()));
            }
        }
        if (!delay.isZero()) {
            b.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delay.toMillis()));
        }
        return b.build();
    }

    private final class Answers implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            MetaError error = script.take();
            Duration delay = script.delay();
            MetaSend send = record(event.getRequest().getUrl().split("\\?", 2)[0], event.getRequest().getBodyAsString(),
                    error);
            return answer(send, delay);
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return transformer;
        }
    }
}
