package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookProcessor;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Consent per purpose, opt-outs from typed text only, Meta's marketing preference, on the real store. */
class ConsentByPurposeTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String ORG = "org-1";
    static final PhoneNumber CUSTOMER = PhoneNumber.of(Requests.phone(1));
    HikariDataSource ds;
    JdbcOutbox outbox;
    Consents consents;
    final List<Dispatcher> dispatchers = new ArrayList<>();
    int sequence;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        consents = outbox.consents();
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    void grantBoth(Channel channel) {
        for (ConsentPurpose p : ConsentPurpose.values()) {
            consents.grant(ORG, CUSTOMER, channel, p, "test", "test");
        }
    }

    ConsentStatus status(Channel channel, ConsentPurpose purpose) {
        return consents.status(ORG, CUSTOMER, channel, purpose);
    }

    InboundMessage inbound(Channel channel, String type, String text, String payload) {
        return new InboundMessage(ORG, channel, CUSTOMER, "in-" + (++sequence), type, text, payload, null,
                Instant.now());
    }

    WebhookResult deliver(WebhookProcessor processor, InboundMessage m) {
        return processor.accept(new WebhookBatch("meta", List.of(), List.of(m)));
    }

    Dispatcher started(ScriptedProvider meta) {
        Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    OutboundMessage awaitStatus(long id, String status) {
        Eventually.await("message " + id + " " + status, WAIT,
                () -> outbox.find(ORG, id).orElseThrow().status().name().equals(status));
        return outbox.find(ORG, id).orElseThrow();
    }

    OutboundMessageRequest template(String key, ConsentPurpose purpose) {
        return OutboundMessageRequest.whatsapp(ORG, CUSTOMER.value()).template("new_listing_alert", "fr", "x")
                .idempotencyKey(key).purpose(purpose).build();
    }

    @Test
    void aButtonTitledCancelAndAListRowTitledStopNeverRevoke() {
        grantBoth(Channel.WHATSAPP);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).build();
        deliver(processor, inbound(Channel.WHATSAPP, "button", "Cancel", "cancel-appointment"));
        deliver(processor, inbound(Channel.WHATSAPP, "interactive", "Cancel", "btn-cancel"));
        deliver(processor, inbound(Channel.WHATSAPP, "interactive", "STOP", "row-stop"));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void cancelTypedOnWhatsAppIsAnAnswerNotAnOptOut() {
        grantBoth(Channel.WHATSAPP);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).build();
        deliver(processor, inbound(Channel.WHATSAPP, "text", "cancel", null));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void aTypedStopRevokesEveryPurposeOfItsChannelOnly() {
        grantBoth(Channel.WHATSAPP);
        grantBoth(Channel.SMS);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).build();
        deliver(processor, inbound(Channel.WHATSAPP, "text", " stop! ", null));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(Channel.SMS, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void aReplyIdTheHostDeclaresAsOptOutRevokes() {
        grantBoth(Channel.WHATSAPP);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).optOutPayloads(Set.of("optout"))
                .build();
        deliver(processor, inbound(Channel.WHATSAPP, "button", "Plus de messages", "optout"));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
    }

    @Test
    void keywordsAreConfigurablePerChannel() {
        grantBoth(Channel.WHATSAPP);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore())
                .optOutKeywords(Channel.WHATSAPP, List.of("basta")).build();
        deliver(processor, inbound(Channel.WHATSAPP, "text", "STOP", null));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        deliver(processor, inbound(Channel.WHATSAPP, "text", "Basta", null));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
    }

    @Test
    void smsStopRevokesAndStartGrantsTheTransactionalConsentBack() {
        grantBoth(Channel.SMS);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).build();
        deliver(processor, inbound(Channel.SMS, "text", "END", null));
        assertThat(status(Channel.SMS, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(Channel.SMS, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
        deliver(processor, inbound(Channel.SMS, "text", "start", null));
        assertThat(status(Channel.SMS, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        // STOP revoked it; START does not grant marketing the customer may never have agreed to
        assertThat(status(Channel.SMS, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(new io.whatsappoutbox.jdbc.testing.Sql(ds).one(
                "SELECT source FROM consentement WHERE channel = 'SMS' AND purpose = 'TRANSACTIONAL'"))
                .isEqualTo("opt-in keyword START");
        // a WhatsApp YES opens nothing
        deliver(processor, inbound(Channel.WHATSAPP, "text", "START", null));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.UNKNOWN);
    }

    @Test
    void metaMarketingStopRevokesMarketingOnlyAndResumeRestoresItOnce() {
        grantBoth(Channel.WHATSAPP);
        grantBoth(Channel.SMS);
        WebhookProcessor processor = WebhookProcessor.builder(outbox.webhookStore()).build();
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        LifecycleEvent stop = new LifecycleEvent.MarketingPreferenceChanged("waba-1", ORG, CUSTOMER, true, at);
        WebhookResult r = processor.accept(new WebhookBatch("meta", List.of(), List.of(), List.of(stop)));
        assertThat(r.applied()).isEqualTo(1);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        assertThat(status(Channel.SMS, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.GRANTED);

        LifecycleEvent resume = new LifecycleEvent.MarketingPreferenceChanged("waba-1", ORG, CUSTOMER, false,
                at.plusSeconds(60));
        processor.accept(new WebhookBatch("meta", List.of(), List.of(), List.of(resume)));
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.GRANTED);
        // Meta delivers again: the old stop is a duplicate, not a new revocation
        WebhookResult again = processor.accept(new WebhookBatch("meta", List.of(), List.of(), List.of(stop)));
        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void aMarketingMessageWithoutMarketingConsentIsDeadLetteredWhileATransactionalOneGoes() {
        consents.grant(ORG, CUSTOMER, Channel.WHATSAPP, "test", "test");
        long marketing = outbox.enqueue(template("offer", ConsentPurpose.MARKETING)).message().id();
        long reminder = outbox.enqueue(template("reminder", ConsentPurpose.TRANSACTIONAL)).message().id();
        assertThat(outbox.find(ORG, marketing).orElseThrow().purpose()).isEqualTo(ConsentPurpose.MARKETING);
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        started(meta);
        awaitStatus(reminder, "SENT");
        OutboundMessage dead = awaitStatus(marketing, "FAILED");
        assertThat(dead.lastError().code()).isEqualTo("NO_CONSENT");
        assertThat(dead.lastError().message()).contains("marketing consent");
        assertThat(meta.calls()).hasSize(1);
    }

    @Test
    void error131050RevokesTheMarketingConsentOnly() {
        grantBoth(Channel.WHATSAPP);
        long id = outbox.enqueue(template("offer", ConsentPurpose.MARKETING)).message().id();
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        meta.otherwise(ScriptedProvider.error("131050", 400));
        started(meta);
        awaitStatus(id, "FAILED");
        Eventually.await("marketing revoked", WAIT,
                () -> status(Channel.WHATSAPP, ConsentPurpose.MARKETING) == ConsentStatus.REVOKED);
        assertThat(status(Channel.WHATSAPP, ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
    }
}
