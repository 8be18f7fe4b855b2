package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Meta's GET subscription check, other methods, and the builder. */
class MetaWebhookVerificationTest {
    final RecordingSink sink = new RecordingSink();
    final MetaWebhookHandler handler = Webhooks.handler(sink).build();

    private static WebhookRequest get(String mode, String token, String challenge) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (mode != null) {
            query.put("hub.mode", List.of(mode));
        }
        if (token != null) {
            query.put("hub.verify_token", List.of(token));
        }
        if (challenge != null) {
            query.put("hub.challenge", List.of(challenge));
        }
        return new WebhookRequest("GET", "https://host.example/webhooks/meta", query, Map.of(), null);
    }

    @Test
    void answersTheRawChallengeWhenTheVerifyTokenMatches() {
        WebhookResponse r = handler.handle(get("subscribe", Webhooks.VERIFY_TOKEN.reveal(), "1158201444"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.body()).isEqualTo("1158201444");
    }

    @Test
    void refusesAWrongVerifyToken() {
        assertThat(handler.handle(get("subscribe", "guess", "1158201444")).status()).isEqualTo(403);
        assertThat(handler.handle(get("subscribe", Webhooks.VERIFY_TOKEN.reveal() + "x", "1")).status()).isEqualTo(403);
    }

    @Test
    void refusesAMissingTokenOrWrongMode() {
        assertThat(handler.handle(get("subscribe", null, "1")).status()).isEqualTo(403);
        assertThat(handler.handle(get("unsubscribe", Webhooks.VERIFY_TOKEN.reveal(), "1")).status()).isEqualTo(403);
        assertThat(handler.handle(get(null, Webhooks.VERIFY_TOKEN.reveal(), "1")).status()).isEqualTo(403);
    }

    @Test
    void refusesEveryVerificationWhenNoTokenIsConfigured() {
        MetaWebhookHandler noToken = Webhooks.handler(sink).verifyToken(null).build();

        assertThat(noToken.handle(get("subscribe", "anything", "1")).status()).isEqualTo(403);
    }

    @Test
    void refusesAMissingOrOverlongChallenge() {
        String token = Webhooks.VERIFY_TOKEN.reveal();

        assertThat(handler.handle(get("subscribe", token, null)).status()).isEqualTo(400);
        assertThat(handler.handle(get("subscribe", token, "")).status()).isEqualTo(400);
        assertThat(handler.handle(get("subscribe", token, "9".repeat(257))).status()).isEqualTo(400);
        assertThat(handler.handle(get("subscribe", token, "1\r\nX-Injected: 1")).status()).isEqualTo(400);
        assertThat(handler.handle(get("subscribe", token, "9".repeat(256))).status()).isEqualTo(200);
    }

    @Test
    void answersOtherMethodsWith405() {
        for (String method : new String[] {"PUT", "DELETE", "PATCH", "HEAD", ""}) {
            WebhookResponse r = handler.handle(new WebhookRequest(method, null, null, null, null));
            assertThat(r.status()).as(method).isEqualTo(405);
        }
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void builderNamesEveryMissingSetting() {
        assertThatThrownBy(() -> MetaWebhookHandler.builder().maxBodyBytes(0).clock(null).build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
                        .extracting(InvalidInputException.Violation::field)
                        .containsExactlyInAnyOrder("secrets", "accounts", "sink", "clock", "maxBodyBytes"));
    }
}
