package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.APP_SECRET;
import static io.whatsappoutbox.meta.Webhooks.IN_WAMID;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.WAMID;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static io.whatsappoutbox.meta.Webhooks.messages;
import static io.whatsappoutbox.meta.Webhooks.status;
import static io.whatsappoutbox.meta.Webhooks.statuses;
import static io.whatsappoutbox.meta.Webhooks.textMessage;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A verified body that cannot be applied whole is refused, and nothing of it reaches the sink. */
class MetaWebhookRejectionTest {
    static final String TS = "1749416383";
    static final String CUSTOMER_TEXT = "my-private-words-4242";

    final RecordingSink sink = new RecordingSink();
    final MetaWebhookHandler handler = Webhooks.handler(sink).build();

    private static String one(String valueFields) {
        return envelope(entry("102290129340398", change(PHONE_ID_1, valueFields)));
    }

    private static String okStatus() {
        return status(WAMID, "delivered", TS);
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"object\":\"whatsapp_business_account\",\"entry\":[", "well formed JSON"),
                Arguments.of("not JSON at all", "hello " + CUSTOMER_TEXT, "well formed JSON"),
                Arguments.of("empty body", "", "empty"),
                Arguments.of("JSON null", "null", "not a JSON object"),
                Arguments.of("array root", "[]", "not a JSON object"),
                Arguments.of("trailing garbage", envelope() + " {}", "well formed JSON"),
                Arguments.of("duplicate key", "{\"object\":\"whatsapp_business_account\",\"object\":\"page\",\"entry\":[]}",
                        "well formed JSON"),
                Arguments.of("wrong object", "{\"object\":\"page\",\"entry\":[]}", "object is not whatsapp_business_account"),
                Arguments.of("missing object", "{\"entry\":[]}", "object is missing"),
                Arguments.of("missing entry", "{\"object\":\"whatsapp_business_account\"}", "entry is missing"),
                Arguments.of("entry not an array", "{\"object\":\"whatsapp_business_account\",\"entry\":{}}", "entry is not an array"),
                Arguments.of("entry not an object", "{\"object\":\"whatsapp_business_account\",\"entry\":[1]}", "entry[0] is not an object"),
                Arguments.of("changes not an array", envelope("{\"id\":\"1\",\"changes\":\"x\"}"), "entry[0].changes is not an array"),
                Arguments.of("value missing", envelope(entry("1", "{\"field\":\"messages\"}")), "entry[0].changes[0].value is missing"),
                Arguments.of("phone number id missing", envelope(entry("1",
                        "{\"field\":\"messages\",\"value\":{\"metadata\":{},\"statuses\":[]}}")),
                        "entry[0].changes[0].value.metadata.phone_number_id is missing"),
                Arguments.of("statuses not an array", one("\"statuses\":{}"), "value.statuses is not an array"),
                Arguments.of("status without id", one(statuses("{\"status\":\"sent\",\"timestamp\":\"" + TS + "\"}")),
                        "statuses[0].id is missing"),
                Arguments.of("status without status", one(statuses("{\"id\":\"w\",\"timestamp\":\"" + TS + "\"}")),
                        "statuses[0].status is missing"),
                Arguments.of("status without timestamp", one(statuses("{\"id\":\"w\",\"status\":\"sent\"}")),
                        "statuses[0].timestamp is missing"),
                Arguments.of("non-numeric timestamp", one(statuses(status(WAMID, "sent", "yesterday"))),
                        "statuses[0].timestamp is not epoch seconds"),
                Arguments.of("negative timestamp", one(statuses(status(WAMID, "sent", "-5"))),
                        "statuses[0].timestamp is not epoch seconds"),
                Arguments.of("huge timestamp", one(statuses(status(WAMID, "sent", "99999999999999999999"))),
                        "statuses[0].timestamp is not epoch seconds"),
                Arguments.of("status id a number", one(statuses("{\"id\":5,\"status\":\"sent\",\"timestamp\":\"" + TS + "\"}")),
                        "statuses[0].id is not a non-empty string"),
                Arguments.of("inbound from not a number", one(messages("x",
                        textMessage("not-a-phone", IN_WAMID, TS, CUSTOMER_TEXT))), "messages[0].from is not a valid phone number"),
                Arguments.of("inbound from too short", one(messages("x",
                        textMessage("123", IN_WAMID, TS, CUSTOMER_TEXT))), "messages[0].from is not a valid phone number"),
                Arguments.of("inbound without id", one("\"messages\":[{\"from\":\"33612345678\",\"timestamp\":\"" + TS
                        + "\",\"type\":\"text\",\"text\":{\"body\":\"" + CUSTOMER_TEXT + "\"}}]"), "messages[0].id is missing"),
                Arguments.of("inbound without type", one("\"messages\":[{\"from\":\"33612345678\",\"id\":\"w\",\"timestamp\":\""
                        + TS + "\"}]"), "messages[0].type is missing"),
                Arguments.of("inbound with bad timestamp", one(messages("x",
                        textMessage("33612345678", IN_WAMID, "12:00", CUSTOMER_TEXT))), "messages[0].timestamp is not epoch seconds"),
                // a good status first: nothing of it may be applied when a later part is bad
                Arguments.of("good status then bad message", one(statuses(okStatus()) + "," + messages("x",
                        textMessage("bogus", IN_WAMID, TS, CUSTOMER_TEXT))), "messages[0].from is not a valid phone number"),
                Arguments.of("good change then bad change", envelope(entry("1", change(PHONE_ID_1, statuses(okStatus())),
                        change(PHONE_ID_1, statuses(status(WAMID, "read", "soon"))))),
                        "entry[0].changes[1].value.statuses[0].timestamp is not epoch seconds"),
                // PostgreSQL text cannot hold U+0000: the store would fail at every redelivery
                Arguments.of("NUL in a status id", one(statuses(status("wamid.\\u0000", "read", TS))), "NUL character"),
                Arguments.of("NUL in an inbound text", one(messages("x",
                        textMessage("33612345678", IN_WAMID, TS, "Bon\\u0000jour"))), "NUL character"),
                Arguments.of("deep nesting", "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"x\":"
                        + "[".repeat(100_000) + "]".repeat(100_000) + "}", "well formed JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void refusesWith400AndAppliesNothing(String name, String json, String problem) throws Exception {
        WebhookResponse r = handler.handle(Webhooks.signed(json));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).isEqualTo("application/json");
        String error = new ObjectMapper().readTree(r.body()).get("error").asText();
        assertThat(error).contains(problem).doesNotContain(CUSTOMER_TEXT).hasSizeLessThan(200);
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] body = one(messages("x", textMessage("33612345678", IN_WAMID, TS, "caf~"))).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '~') {
                body[i] = (byte) 0xC3; // a lead byte with no continuation
            }
        }
        WebhookResponse r = handler.handle(Webhooks.signed(APP_SECRET, body));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("not valid UTF-8");
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void refusesAnOverlongUtf8Encoding() {
        byte[] prefix = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"x\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[prefix.length + 4];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC0; // overlong '/'
        body[prefix.length + 1] = (byte) 0xAF;
        body[prefix.length + 2] = '"';
        body[prefix.length + 3] = '}';

        assertThat(handler.handle(Webhooks.signed(APP_SECRET, body)).status()).isEqualTo(400);
    }

    @Test
    void answers500AndLogsNoBodyWhenTheSinkFails() {
        MetaWebhookHandler failing = Webhooks.handler(batch -> {
            throw new IllegalStateException("insert failed for text " + CUSTOMER_TEXT);
        }).build();
        try (LogCapture logs = new LogCapture()) {
            WebhookResponse r = failing.handle(Webhooks.signed(one(messages("33612345678",
                    textMessage("33612345678", IN_WAMID, TS, CUSTOMER_TEXT)))));

            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body()).doesNotContain(CUSTOMER_TEXT);
            assertThat(logs.lines(Level.ERROR)).hasSize(1);
            assertThat(logs.all()).doesNotContain(CUSTOMER_TEXT).doesNotContain("33612345678");
        }
    }

    @Test
    void answers500WhenTheAccountsCannotBeLookedUp() {
        WhatsAppAccounts broken = new WhatsAppAccounts() {
            @Override
            public Optional<WhatsAppAccount> forOrg(String orgId) {
                throw new IllegalStateException("pool exhausted");
            }

            @Override
            public Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId) {
                throw new IllegalStateException("pool exhausted");
            }
        };
        MetaWebhookHandler h = Webhooks.handler(sink).accounts(broken).build();

        assertThat(h.handle(Webhooks.signed(one(statuses(okStatus())))).status()).isEqualTo(500);
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void neverLogsCustomerTextOrFullNumbers() {
        try (LogCapture logs = new LogCapture()) {
            handler.handle(Webhooks.signed(one(messages("33612345678",
                    textMessage("33612345678", IN_WAMID, TS, CUSTOMER_TEXT)))));
            handler.handle(Webhooks.signed(one(messages("x", textMessage("bogus" + CUSTOMER_TEXT, IN_WAMID, TS,
                    CUSTOMER_TEXT)))));
            handler.handle(Webhooks.signed(Secret.of("bad"), one(statuses(okStatus()))));

            assertThat(logs.all()).doesNotContain(CUSTOMER_TEXT, "33612345678", APP_SECRET.reveal());
        }
    }
}
