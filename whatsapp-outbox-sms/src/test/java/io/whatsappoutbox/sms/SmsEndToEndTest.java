package io.whatsappoutbox.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.whatsappoutbox.sms.TwilioForms.encode;
import static io.whatsappoutbox.sms.TwilioForms.p;
import static io.whatsappoutbox.sms.TwilioForms.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SMS module with the real store: sends through a Twilio-shaped API, callbacks applied to PostgreSQL. */
class SmsEndToEndTest {
    static final String CALLBACK_URL = "https://app.example.com/webhooks/sms/status";

    @RegisterExtension
    static WireMockExtension twilio = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    HikariDataSource ds;
    JdbcOutbox outbox;
    Dispatcher dispatcher;
    TwilioStatusCallbackHandler callbacks;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        TwilioSmsProvider provider = TwilioSmsProvider.builder().baseUrl(twilio.baseUrl())
                .accountSid(TwilioFixtures.ACCOUNT_SID).authToken(TwilioFixtures.TOKEN).from(TwilioFixtures.FROM)
                .statusCallbackUrl(java.net.URI.create(CALLBACK_URL)).build();
        dispatcher = outbox.dispatcher().provider(Channel.SMS, provider)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2)).build())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(5)).build();
        dispatcher.start();
        callbacks = TwilioStatusCallbackHandler.builder().authToken(TwilioFixtures.TOKEN).publicUrl(CALLBACK_URL)
                .sink(dispatcher.webhooks()).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        ds.close();
    }

    long enqueue(String to, String key) {
        outbox.consents().grant("org-1", PhoneNumber.of(to), Channel.SMS, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.sms("org-1", to).text("Votre rendez-vous est demain à 10h")
                .idempotencyKey(key).build()).message().id();
    }

    OutboundMessage awaitStatus(long id, String status) {
        Eventually.await("message " + id + " " + status, Duration.ofSeconds(60),
                () -> outbox.find("org-1", id).orElseThrow().status().name().equals(status));
        return outbox.find("org-1", id).orElseThrow();
    }

    WebhookRequest callback(String sid, String status, String... extra) {
        List<Map.Entry<String, String>> params = new java.util.ArrayList<>(List.of(p("MessageSid", sid), p("SmsSid", sid),
                p("MessageStatus", status), p("AccountSid", TwilioFixtures.ACCOUNT_SID), p("To", TwilioFixtures.TO)));
        for (int i = 0; i < extra.length; i += 2) {
            params.add(p(extra[i], extra[i + 1]));
        }
        return new WebhookRequest("POST", CALLBACK_URL, Map.of(),
                Map.of("X-Twilio-Signature", List.of(sign(TwilioFixtures.TOKEN_VALUE, CALLBACK_URL, params))), encode(params));
    }

    @Test
    void sendsAnSmsAndAppliesItsSignedStatusCallbacksForwardOnly() {
        twilio.stubFor(post(urlPathEqualTo(TwilioFixtures.MESSAGES_PATH))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(TwilioFixtures.created("queued"))));
        long id = enqueue(TwilioFixtures.TO, "sms-1");
        OutboundMessage sent = awaitStatus(id, "SENT");
        assertThat(sent.providerMessageId()).isEqualTo(TwilioFixtures.MESSAGE_SID);
        assertThat(callbacks.handle(callback(TwilioFixtures.MESSAGE_SID, "sent")).status()).isEqualTo(200);
        assertThat(callbacks.handle(callback(TwilioFixtures.MESSAGE_SID, "delivered")).status()).isEqualTo(200);
        assertThat(callbacks.handle(callback(TwilioFixtures.MESSAGE_SID, "sent")).status()).isEqualTo(200);
        assertThat(outbox.find("org-1", id).orElseThrow().status().name()).isEqualTo("DELIVERED");
        WebhookRequest forged = new WebhookRequest("POST", CALLBACK_URL, Map.of(), Map.of("X-Twilio-Signature",
                List.of("bm90IGEgc2lnbmF0dXJl")), encode(List.of(p("MessageSid", TwilioFixtures.MESSAGE_SID),
                p("MessageStatus", "undelivered"), p("ErrorCode", "30006"))));
        assertThat(callbacks.handle(forged).status()).isEqualTo(401);
        assertThat(outbox.find("org-1", id).orElseThrow().status().name()).isEqualTo("DELIVERED");
    }

    @Test
    void anOptOutCodeDeadLettersAndRevokesSmsConsent() {
        twilio.stubFor(post(urlPathEqualTo(TwilioFixtures.MESSAGES_PATH))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"code\":21610,\"message\":\"Attempt to send to unsubscribed recipient\","
                                + "\"more_info\":\"https://www.twilio.com/docs/errors/21610\",\"status\":400}")));
        long id = enqueue(TwilioFixtures.TO, "sms-2");
        OutboundMessage failed = awaitStatus(id, "FAILED");
        assertThat(failed.lastError().code()).isEqualTo("21610");
        assertThat(outbox.consents().status("org-1", PhoneNumber.of(TwilioFixtures.TO), Channel.SMS))
                .isEqualTo(ConsentStatus.REVOKED);
    }

    @Test
    void anUndeliveredCallbackRetriesATemporaryCarrierError() {
        twilio.stubFor(post(urlPathEqualTo(TwilioFixtures.MESSAGES_PATH))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(TwilioFixtures.created("queued"))));
        long id = enqueue(TwilioFixtures.TO, "sms-3");
        awaitStatus(id, "SENT");
        // the retried send comes back with the same sid from this stub: answer the second send with another one
        twilio.stubFor(post(urlPathEqualTo(TwilioFixtures.MESSAGES_PATH))
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody(TwilioFixtures.created("queued").replace(TwilioFixtures.MESSAGE_SID,
                                "SM00000000000000000000000000000002"))));
        assertThat(callbacks.handle(callback(TwilioFixtures.MESSAGE_SID, "undelivered", "ErrorCode", "30003")).status())
                .isEqualTo(200);
        Eventually.await("sent again", Duration.ofSeconds(60),
                () -> "SM00000000000000000000000000000002".equals(outbox.find("org-1", id).orElseThrow().providerMessageId()));
        assertThat(outbox.find("org-1", id).orElseThrow().attemptCount()).isEqualTo(2);
    }
}
