package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.jdbc.ProviderConfigs;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Meta module with the real store: messages sent through the Cloud API (WireMock answering as
 * Meta does) and the webhook's receipts and inbound messages applied through the dispatcher's
 * webhook processor to PostgreSQL.
 */
class MetaEndToEndTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String PHONE_ID_1 = "100000000000001";
    static final String PHONE_ID_2 = "100000000000002";
    static final String CUSTOMER = "+33612345678";

    @RegisterExtension
    static WireMockExtension graph = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    HikariDataSource ds;
    MutableClock clock;
    JdbcOutbox outbox;
    Dispatcher dispatcher;
    MetaWebhookHandler handler;
    Sql sql;
    final Secret secret1 = Secret.of("app-secret-org-1");
    final Secret secret2 = Secret.of("app-secret-org-2");

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(Instant.now());
        outbox = JdbcOutbox.builder().dataSource(ds).clock(clock).configCacheFor(Duration.ZERO)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        outbox.providerConfigs().save(ProviderConfig.of("org-1", PHONE_ID_1, Secret.of("EAAJ-token-1"), secret1), "test");
        outbox.providerConfigs().save(ProviderConfig.of("org-2", PHONE_ID_2, Secret.of("EAAJ-token-2"), secret2), "test");
        sql = new Sql(ds);
        graph.stubFor(post(urlPathMatching("/v23.0/.*/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\",\"wa_id\":\"33612345678\"}],"
                        + "\"messages\":[{\"id\":\"wamid.{{randomValue length=24 type='ALPHANUMERIC'}}\"}]}")
                .withTransformers("response-template")));
        MetaCloudProvider meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs()).baseUrl(graph.baseUrl())
                .build();
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.SESSION_EXPIRED, ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel RDV"));
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms())
                .fallbackRules(rules)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2)).build())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(5)).build();
        dispatcher.start();
        handler = MetaWebhookHandler.builder().verifyToken(Secret.of("verify"))
                .secrets(outbox.providerConfigs().webhookSecrets()).accounts(outbox.providerConfigs())
                .sink(dispatcher.webhooks()).clock(clock).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        ds.close();
    }

    long enqueue(OutboundMessageRequest r) {
        outbox.consents().grant(r.orgId(), r.to(), r.channel(), "test", "test");
        return outbox.enqueue(r).message().id();
    }

    OutboundMessage awaitStatus(long id, String status) {
        Eventually.await("message " + id + " " + status, WAIT,
                () -> outbox.find("org-1", id).orElseThrow().status().name().equals(status));
        return outbox.find("org-1", id).orElseThrow();
    }

    WebhookResponse webhook(Secret secret, String phoneNumberId, String valueFields) {
        return handler.handle(Webhooks.signed(secret, Webhooks.envelope(Webhooks.entry("102290129340398",
                Webhooks.change(phoneNumberId, valueFields)))));
    }

    static String ts(Instant t) {
        return Long.toString(t.getEpochSecond());
    }

    @Test
    void sendsThroughTheCloudApiAndAppliesReceiptsInAnyOrderAndTwice() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(enqueue(OutboundMessageRequest.whatsapp("org-1", String.format("+3361234%04d", i))
                    .template("appointment_reminder", "fr", "lundi").idempotencyKey("rdv-" + i).build()));
        }
        List<String> statuses = new ArrayList<>();
        for (long id : ids) {
            String wamid = awaitStatus(id, "SENT").providerMessageId();
            assertThat(wamid).startsWith("wamid.");
            statuses.add(Webhooks.status(wamid, "sent", ts(clock.instant())));
            statuses.add(Webhooks.status(wamid, "delivered", ts(clock.instant().plusSeconds(2))));
            if (id % 2 == 0) {
                statuses.add(Webhooks.status(wamid, "read", ts(clock.instant().plusSeconds(5))));
            }
        }
        List<String> shuffled = new ArrayList<>(statuses);
        shuffled.addAll(statuses.subList(0, 15));
        Collections.shuffle(shuffled, new Random(7));
        for (int i = 0; i < shuffled.size(); i += 7) {
            List<String> part = shuffled.subList(i, Math.min(i + 7, shuffled.size()));
            assertThat(webhook(secret1, PHONE_ID_1, Webhooks.statuses(part.toArray(String[]::new))).status()).isEqualTo(200);
        }
        for (long id : ids) {
            assertThat(outbox.find("org-1", id).orElseThrow().status().name()).isEqualTo(id % 2 == 0 ? "READ" : "DELIVERED");
        }
        graph.verify(20, postRequestedFor(urlPathMatching("/v23.0/" + PHONE_ID_1 + "/messages")));
    }

    @Test
    void aReceiptsPricingAndConversationLandOnTheAttemptThatSentTheMessage() {
        long id = enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).template("appointment_reminder", "fr")
                .idempotencyKey("rdv-priced").build());
        String wamid = awaitStatus(id, "SENT").providerMessageId();

        // sent: Meta's pricing and conversation (Webhooks.status); delivered: pricing only, a later model
        assertThat(webhook(secret1, PHONE_ID_1, Webhooks.statuses(Webhooks.status(wamid, "sent", ts(clock.instant())),
                "{\"id\":\"" + wamid + "\",\"status\":\"delivered\",\"timestamp\":\"" + ts(clock.instant())
                        + "\",\"recipient_id\":\"33612345678\",\"pricing\":{\"billable\":true,"
                        + "\"pricing_model\":\"PMP\",\"category\":\"utility\",\"type\":\"regular\"}}"))
                .status()).isEqualTo(200);

        assertThat(sql.one("SELECT pricing_category || '/' || pricing_model || '/' || billable || '/' || conversation_id"
                + " || '/' || conversation_origin FROM outbound_attempt WHERE message_id = ?", id))
                .isEqualTo("utility/PMP/true/c0ffee/utility");
    }

    @Test
    void inboundDetailsAreStoredAndAReactionOpensNoWindow() {
        String image = "{\"from\":\"33612345678\",\"id\":\"wamid.img\",\"timestamp\":\"" + ts(clock.instant())
                + "\",\"type\":\"image\",\"image\":{\"caption\":\"Ma facture\",\"mime_type\":\"image/jpeg\","
                + "\"sha256\":\"abc\",\"id\":\"1003383421387256\"}}";
        String reaction = "{\"from\":\"33698765432\",\"id\":\"wamid.react\",\"timestamp\":\"" + ts(clock.instant())
                + "\",\"type\":\"reaction\",\"reaction\":{\"message_id\":\"wamid.ours\",\"emoji\":\"\uD83D\uDC4D\"}}";
        assertThat(webhook(secret1, PHONE_ID_1, Webhooks.messages("33612345678", image, reaction)).status())
                .isEqualTo(200);

        assertThat(sql.one("SELECT profile_name || '/' || (details->>'media_id') || '/' || (details->>'mime_type')"
                + " || '/' || (details->>'caption') FROM message WHERE provider_message_id = 'wamid.img'"))
                .isEqualTo("Jeanne/1003383421387256/image/jpeg/Ma facture");
        assertThat(sql.one("SELECT details->>'reacted_message_id' FROM message WHERE provider_message_id = 'wamid.react'"))
                .isEqualTo("wamid.ours");
        assertThat(sql.count("SELECT count(*) FROM whatsapp_session_window WHERE phone_number = '+33612345678'"))
                .isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_session_window WHERE phone_number = '+33698765432'"))
                .isZero();
    }

    @Test
    void aFailedReceiptOutsideTheWindowDeadLettersAndFallsBackToSms() {
        long id = enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).template("appointment_reminder", "fr")
                .idempotencyKey("rdv-1").build());
        outbox.consents().grant("org-1", PhoneNumber.of(CUSTOMER), Channel.SMS, "test", "test");
        String wamid = awaitStatus(id, "SENT").providerMessageId();
        assertThat(webhook(secret1, PHONE_ID_1, Webhooks.statuses(Webhooks.failedStatus(wamid, ts(clock.instant()), 131047,
                "Re-engagement message", "Message failed to send because more than 24 hours have passed"))).status())
                .isEqualTo(200);
        OutboundMessage failed = outbox.find("org-1", id).orElseThrow();
        assertThat(failed.status().name()).isEqualTo("FAILED");
        assertThat(failed.lastError().code()).isEqualTo("131047");
        assertThat(failed.lastError().category()).isEqualTo(ErrorCategory.SESSION_EXPIRED);
        Eventually.await("SMS fallback sent", WAIT, () -> sql.count(
                "SELECT count(*) FROM outbound_message WHERE fallback_of = ? AND channel = 'SMS' AND status = 'SENT'", id) == 1);
    }

    @Test
    void aTemporaryFailedReceiptIsRetriedWithANewSend() {
        long id = enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).template("appointment_reminder", "fr")
                .idempotencyKey("rdv-2").build());
        String first = awaitStatus(id, "SENT").providerMessageId();
        webhook(secret1, PHONE_ID_1, Webhooks.statuses(Webhooks.failedStatus(first, ts(clock.instant()), 131000,
                "Something went wrong", "retry")));
        Eventually.await("sent again", WAIT, () -> {
            OutboundMessage m = outbox.find("org-1", id).orElseThrow();
            return m.status().name().equals("SENT") && !m.providerMessageId().equals(first);
        });
        assertThat(outbox.find("org-1", id).orElseThrow().attemptCount()).isEqualTo(2);
    }

    @Test
    void inboundMessagesOpenTheWindowAndStopRevokesConsent() {
        assertThat(webhook(secret1, PHONE_ID_1, Webhooks.messages("33612345678",
                Webhooks.textMessage("33612345678", "wamid.in-1", ts(clock.instant()), "Bonjour \\u00e9t\\u00e9")))
                .status()).isEqualTo(200);
        assertThat(sql.one("SELECT body FROM message WHERE provider_message_id = 'wamid.in-1'")).isEqualTo("Bonjour été");
        long freeForm = enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).text("Merci, à demain")
                .idempotencyKey("reply-1").build());
        awaitStatus(freeForm, "SENT");

        webhook(secret1, PHONE_ID_1, Webhooks.messages("33612345678",
                Webhooks.textMessage("33612345678", "wamid.in-2", ts(clock.instant()), "Arrêt")));
        assertThat(outbox.consents().status("org-1", PhoneNumber.of(CUSTOMER), Channel.WHATSAPP))
                .isEqualTo(ConsentStatus.REVOKED);
        long after = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).template("appointment_reminder", "fr")
                .idempotencyKey("rdv-3").build()).message().id();
        assertThat(awaitStatus(after, "FAILED").lastError().code()).isEqualTo("NO_CONSENT");
    }

    @Test
    void theAppSecretMetaShowsAfterAResetIsInstalledAndTheOldOneStaysValidDuringTheOverlapOnly() {
        Secret reset = Secret.of("9d4c2b1a0f8e7d6c5b4a39281706f5e4");
        assertThat(outbox.providerConfigs().rotateWebhookSecret(Scope.org("org-1"), reset, Duration.ofDays(7),
                "ops-TICKET-9", false)).containsExactly("org-1");
        String value = Webhooks.messages("33612345678", Webhooks.textMessage("33612345678", "wamid.in-9",
                ts(clock.instant()), "hi"));
        assertThat(webhook(reset, PHONE_ID_1, value).status()).isEqualTo(200);
        assertThat(webhook(secret1, PHONE_ID_1, value).status()).as("old secret inside the overlap").isEqualTo(200);
        clock.advance(Duration.ofDays(7).plusSeconds(1));
        assertThat(webhook(secret1, PHONE_ID_1, value).status()).as("old secret after the overlap").isEqualTo(401);
        assertThat(webhook(reset, PHONE_ID_1, value).status()).isEqualTo(200);
        assertThat(webhook(secret2, PHONE_ID_2, value).status()).as("org-2, on its own app, untouched").isEqualTo(200);
    }

    @Test
    void oneAppSecretServesEveryOrgOfATechProvidersAppAndRotatesForAllOfThem() {
        Secret app = Secret.of("tech-provider-app-secret-0001");
        outbox.providerConfigs().save(ProviderConfig.of("org-1", PHONE_ID_1, Secret.of("EAAJ-token-1"), app), "test");
        outbox.providerConfigs().save(ProviderConfig.of("org-2", PHONE_ID_2, Secret.of("EAAJ-token-2"), app), "test");
        String value = Webhooks.messages("33612345678", Webhooks.textMessage("33612345678", "wamid.in-10",
                ts(clock.instant()), "hi"));
        assertThat(webhook(app, PHONE_ID_1, value).status()).isEqualTo(200);
        assertThat(webhook(app, PHONE_ID_2, value).status()).isEqualTo(200);

        Secret reset = Secret.of("1a2b3c4d5e6f70819a2b3c4d5e6f7081");
        assertThat(outbox.providerConfigs().rotateWebhookSecret(Scope.org("org-2"), reset, Duration.ofDays(7), "ops",
                false)).containsExactly("org-1", "org-2");
        String next = Webhooks.messages("33612345678", Webhooks.textMessage("33612345678", "wamid.in-11",
                ts(clock.instant()), "hi"));
        assertThat(webhook(reset, PHONE_ID_1, next).status()).isEqualTo(200);
        assertThat(webhook(reset, PHONE_ID_2, next).status()).isEqualTo(200);
    }

    @Test
    void aWebhookSecretThatDoesNotOpenCostsOnlyItsOrg() {
        // copied from org-1's row: sealed for another org, it does not open for org-2
        sql.update("UPDATE whatsapp_provider_config SET webhook_secret_encrypted = (SELECT webhook_secret_encrypted"
                + " FROM whatsapp_provider_config WHERE org_id = 'org-1') WHERE org_id = 'org-2'");
        String value = Webhooks.messages("33612345678", Webhooks.textMessage("33612345678", "wamid.in-12",
                ts(clock.instant()), "hi"));
        assertThat(webhook(secret1, PHONE_ID_1, value).status()).isEqualTo(200);
        assertThat(webhook(secret2, PHONE_ID_2, value).status()).isEqualTo(500);
        assertThat(outbox.providerConfigs().webhookSecretsHealth().unreadable())
                .extracting(ProviderConfigs.UnreadableSecret::orgId).containsExactly("org-2");
    }

    @Test
    void anotherOrgsSecretCannotSpeakForThisOrg() {
        long id = enqueue(OutboundMessageRequest.whatsapp("org-1", CUSTOMER).template("appointment_reminder", "fr")
                .idempotencyKey("rdv-4").build());
        String wamid = awaitStatus(id, "SENT").providerMessageId();
        WebhookResponse forged = webhook(secret2, PHONE_ID_1, Webhooks.statuses(Webhooks.failedStatus(wamid,
                ts(clock.instant()), 131026, "Message undeliverable", "x")));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(outbox.find("org-1", id).orElseThrow().status().name()).isEqualTo("SENT");
        // org-2's own webhook naming org-1's message id is routed to org-2 and never touches it
        WebhookResponse misrouted = webhook(secret2, PHONE_ID_2, Webhooks.statuses(Webhooks.failedStatus(wamid,
                ts(clock.instant()), 131026, "Message undeliverable", "x")));
        assertThat(misrouted.status()).isEqualTo(200);
        assertThat(outbox.find("org-1", id).orElseThrow().status().name()).isEqualTo("SENT");
    }

    @Test
    void oneOrgsSecretCannotChangeTheNumberStateOfAnotherOrgsBusinessAccount() {
        outbox.providerConfigs().save(new ProviderConfig("org-1", PHONE_ID_1, "200000000000001",
                Secret.of("EAAJ-token-1"), secret1, true, null), "test");
        outbox.providerConfigs().save(new ProviderConfig("org-2", PHONE_ID_2, "200000000000002",
                Secret.of("EAAJ-token-2"), secret2, true, null), "test");
        String flagged = Webhooks.envelope(Webhooks.entry("200000000000002", "{\"value\":{\"display_phone_number\":"
                + "\"15550783881\",\"event\":\"FLAGGED\",\"current_limit\":\"TIER_1K\"},"
                + "\"field\":\"phone_number_quality_update\"}"));

        assertThat(handler.handle(Webhooks.signed(secret1, flagged)).status()).isEqualTo(401);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_number_state")).isZero();

        assertThat(handler.handle(Webhooks.signed(secret2, flagged)).status()).isEqualTo(200);
        assertThat(sql.rows("SELECT business_account_id, last_event FROM whatsapp_number_state"))
                .containsExactly(java.util.Map.of("business_account_id", "200000000000002", "last_event", "FLAGGED"));
    }

    @Test
    void aLifecycleWebhookForABusinessAccountNoOrgHasChangesNothing() {
        String flagged = Webhooks.envelope(Webhooks.entry("200000000000009", "{\"value\":{\"display_phone_number\":"
                + "\"15550783881\",\"event\":\"FLAGGED\",\"current_limit\":\"TIER_1K\"},"
                + "\"field\":\"phone_number_quality_update\"}"));

        assertThat(handler.handle(Webhooks.signed(secret1, flagged)).status()).isEqualTo(200);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_number_state")).isZero();
    }
}
