package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The signer's output is what the library's own verifiers accept, and a changed body is refused. */
class WebhookSignerTest {
    static final Secret APP_SECRET = Secret.of("kit-test-app-secret-42");
    static final Secret AUTH_TOKEN = Secret.of("kit0test0auth0token0000000000042");
    static final String STATUS = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\","
            + "\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":"
            + "\"15550783881\",\"phone_number_id\":\"100000000000001\"},\"statuses\":[{\"id\":\"wamid.HBgLkit1\","
            + "\"status\":\"delivered\",\"timestamp\":\"1749416383\",\"recipient_id\":\"33612345678\"}]},"
            + "\"field\":\"messages\"}]}]}";
    static final String CALLBACK_URL = "https://host.example/webhooks/sms/status";

    final List<WebhookBatch> batches = new CopyOnWriteArrayList<>();

    WebhookResult record(WebhookBatch batch) {
        batches.add(batch);
        return new WebhookResult(batch.receipts().size(), 0, 0, 0);
    }

    @Test
    void metasVerifierAcceptsTheSignedBodyAndRefusesItTampered() {
        MetaWebhookHandler handler = MetaWebhookHandler.builder().secrets(WebhookSecrets.shared(APP_SECRET))
                .accounts(new KitAccounts()).sink(this::record).build();
        SignedWebhook signed = WebhookSigner.meta(APP_SECRET, STATUS);

        assertThat(handler.handle(signed.tampered().request()).status()).isEqualTo(401);
        assertThat(batches).isEmpty();
        assertThat(handler.handle(signed.request()).status()).isEqualTo(200);
        assertThat(batches).singleElement().satisfies(b -> assertThat(b.receipts()).hasSize(1));
        assertThat(handler.handle(WebhookSigner.meta(Secret.of("another-secret"), STATUS).request()).status())
                .isEqualTo(401);
    }

    @Test
    void twiliosVerifierAcceptsTheSignedCallbackAndRefusesItTamperedOrForAnotherUrl() {
        TwilioStatusCallbackHandler handler = TwilioStatusCallbackHandler.builder().authToken(AUTH_TOKEN)
                .publicUrl(CALLBACK_URL).sink(this::record).build();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("MessageSid", "SM0123456789abcdef0123456789abcdef");
        params.put("MessageStatus", "delivered");
        params.put("To", "+33612345678");

        assertThat(handler.handle(WebhookSigner.twilio(AUTH_TOKEN, CALLBACK_URL, params).tampered().request()).status())
                .isEqualTo(401);
        assertThat(handler.handle(WebhookSigner.twilio(AUTH_TOKEN, "https://other.example/status", params).request())
                .status()).isEqualTo(401);
        assertThat(batches).isEmpty();
        assertThat(handler.handle(WebhookSigner.twilio(AUTH_TOKEN, CALLBACK_URL, params).request()).status())
                .isEqualTo(200);
        assertThat(batches).singleElement().satisfies(b -> assertThat(b.receipts()).hasSize(1));
    }

    @Test
    void signaturesAreTheProvidersPublishedAlgorithms() throws Exception {
        byte[] body = STATUS.getBytes(StandardCharsets.UTF_8);
        Mac sha256 = Mac.getInstance("HmacSHA256");
        sha256.init(new SecretKeySpec(APP_SECRET.bytes(), "HmacSHA256"));
        assertThat(WebhookSigner.metaSignature(APP_SECRET, body))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(sha256.doFinal(body)));

        // Twilio's published example: token 12345, this URL and these parameters
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Digits", "1234");
        params.put("CallSid", "CA1234567890ABCDE");
        params.put("To", "+18005551212");
        params.put("Caller", "+14158675309");
        params.put("From", "+14158675309");
        assertThat(WebhookSigner.twilioSignature(Secret.of("12345"), "https://mycompany.com/myapp.php?foo=1&bar=2",
                params)).isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    @Test
    void aWebhookPostedToTheHostsEndpointArrivesWithItsSignatureOverTheRawBody() throws Exception {
        MetaWebhookHandler handler = MetaWebhookHandler.builder().secrets(WebhookSecrets.shared(APP_SECRET))
                .accounts(new KitAccounts()).sink(this::record).build();
        // the host's endpoint: the raw body and headers handed to the library's handler
        HttpServer endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/webhooks/meta", exchange -> {
            WebhookResponse r = handler.handle(new WebhookRequest(exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(), Map.of(), exchange.getRequestHeaders(),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(r.status(), -1);
            exchange.close();
        });
        endpoint.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/webhooks/meta");
            SignedWebhook signed = WebhookSigner.meta(APP_SECRET, STATUS);

            assertThat(signed.tampered().postTo(uri)).isEqualTo(401);
            assertThat(signed.postTo(uri)).isEqualTo(200);
            assertThat(batches).singleElement().satisfies(b -> assertThat(b.receipts()).hasSize(1));
        } finally {
            endpoint.stop(0);
        }
    }
}
