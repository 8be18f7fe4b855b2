package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.dispatch.CircuitBreakerSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FailoverAndFallbackTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final FallbackRules CRITICAL = FallbackRules.of(
            FallbackRule.forTemplates("appointment_reminder", "urgent_notification")
                    .onDeadLetter(ErrorCategory.SESSION_EXPIRED, ErrorCategory.UNDELIVERABLE)
                    .smsText(m -> "Rappel de rendez-vous (dossier " + m.dossierId() + ")"));

    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    final List<Dispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    Dispatcher started(Dispatcher.Builder b) {
        Dispatcher d = b.retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(20))
                        .build())
                .pollInterval(Duration.ofMillis(20)).maintenanceInterval(Duration.ofMillis(100))
                .closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
        return d;
    }

    void consent(String phone, Channel channel) {
        outbox.consents().grant("org-1", PhoneNumber.of(phone), channel, "test", "test");
    }

    @Test
    void switchesToTheNextProviderDuringAnOutageAndBackWhenItRecovers() {
        ScriptedProvider primary = new ScriptedProvider("primary", io.whatsappoutbox.core.ErrorCatalogue.meta());
        ScriptedProvider secondary = new ScriptedProvider("secondary", io.whatsappoutbox.core.ErrorCatalogue.meta());
        AtomicBoolean outage = new AtomicBoolean(true);
        primary.otherwise(m -> outage.get() ? ScriptedProvider.error("131016", 503).apply(m) : primary.accept(m));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<OutboundMessageRequest> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            consent(Requests.phone(i), Channel.WHATSAPP);
            batch.add(Requests.template("org-1", i));
        }
        outbox.enqueueAll(batch);
        Dispatcher d = started(outbox.dispatcher().provider(Channel.WHATSAPP, primary, secondary).meterRegistry(registry)
                .concurrency(2).batchSize(20)
                .circuitBreaker(CircuitBreakerSettings.defaults().withSlidingWindow(10, 5)
                        .withOpenFor(Duration.ofMillis(300)).withHalfOpenProbes(2)));
        Eventually.await("outage messages sent", WAIT,
                () -> sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'") == 200);
        // the primary failed a few times, then the secondary carried the outage
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE provider = 'secondary'")).isGreaterThan(150);
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt WHERE provider = 'primary' AND outcome = 'RETRY'"))
                .isBetween(5L, 60L);
        assertThat(registry.get("outbound.provider.switches").tag("from", "primary").tag("to", "secondary").counter().count())
                .isGreaterThanOrEqualTo(1);

        outage.set(false);
        List<OutboundMessageRequest> after = new ArrayList<>();
        for (int i = 200; i < 260; i++) {
            consent(Requests.phone(i), Channel.WHATSAPP);
            after.add(Requests.template("org-1", i));
        }
        Eventually.await("the half-open probe finds the primary healthy", WAIT, () -> {
            outbox.enqueueAll(after);
            return sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT' AND provider = 'primary'") > 0;
        });
        Eventually.await("all sent", WAIT, () -> sql.count("SELECT count(*) FROM outbound_message WHERE status <> 'SENT'") == 0);
        assertThat(registry.get("outbound.provider.switches").tag("from", "secondary").tag("to", "primary").counter().count())
                .isGreaterThanOrEqualTo(1);
        d.close();
    }

    @Test
    void deadLetteredCriticalTemplatesFallBackToSmsOnce() {
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        ScriptedProvider sms = ScriptedProvider.sms();
        meta.otherwise(ScriptedProvider.error("131026", 400));
        consent(Requests.phone(1), Channel.WHATSAPP);
        consent(Requests.phone(1), Channel.SMS);
        consent(Requests.phone(2), Channel.WHATSAPP);
        long critical = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(1))
                .template("appointment_reminder", "fr", "lundi").dossierId("D-42").idempotencyKey("rdv-42").build()).message().id();
        long other = outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(2))
                .template("newsletter", "fr").idempotencyKey("news-1").build()).message().id();
        started(outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).fallbackRules(CRITICAL));
        Eventually.await("fallback sent", WAIT, () -> sql.count(
                "SELECT count(*) FROM outbound_message WHERE fallback_of = ? AND status = 'SENT'", critical) == 1);
        Eventually.await("other dead-lettered", WAIT, () -> outbox.find("org-1", other).orElseThrow().status().name().equals("FAILED"));
        Map<String, Object> fallback = sql.rows("SELECT channel, idempotency_key, dossier_id, created_by, payload_json::text AS p"
                + " FROM outbound_message WHERE fallback_of = ?", critical).get(0);
        assertThat(fallback).containsEntry("channel", "SMS").containsEntry("idempotency_key", "rdv-42:fallback:sms")
                .containsEntry("dossier_id", "D-42").containsEntry("created_by", "whatsapp-outbox-fallback");
        assertThat((String) fallback.get("p")).contains("Rappel de rendez-vous (dossier D-42)");
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of = ?", other)).isZero();
        assertThat(sms.calls()).hasSize(1);
    }

    @Test
    void aFallbackStillNeedsSmsConsent() {
        ScriptedProvider meta = ScriptedProvider.whatsapp().otherwise(ScriptedProvider.error("131026", 400));
        ScriptedProvider sms = ScriptedProvider.sms();
        consent(Requests.phone(1), Channel.WHATSAPP);
        long critical = outbox.enqueue(Requests.template("org-1", 1)).message().id();
        started(outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).fallbackRules(CRITICAL));
        Eventually.await("fallback blocked", WAIT, () -> sql.count(
                "SELECT count(*) FROM outbound_message WHERE fallback_of = ? AND status = 'FAILED' AND error_code = 'NO_CONSENT'",
                critical) == 1);
        assertThat(sms.calls()).isEmpty();
    }

    @Test
    void repeatedTriggersAndConcurrentDispatchersCreateOneFallback() throws Exception {
        // a failed receipt for a message delivered by many webhook calls, through several dispatchers at once
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        consent(Requests.phone(1), Channel.WHATSAPP);
        long id = outbox.enqueue(Requests.template("org-1", 1)).message().id();
        List<Dispatcher> ds3 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ds3.add(started(outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms())
                    .fallbackRules(CRITICAL).instanceId("node-" + i)));
        }
        Eventually.await("sent", WAIT, () -> outbox.find("org-1", id).orElseThrow().status().name().equals("SENT"));
        String wamid = outbox.find("org-1", id).orElseThrow().providerMessageId();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Dispatcher d = ds3.get(i % 3);
            int n = i;
            threads.add(new Thread(() -> {
                // distinct timestamps make distinct receipts; some arrive twice
                DeliveryReceipt failed = new DeliveryReceipt(Channel.WHATSAPP, wamid, DeliveryStatus.FAILED,
                        Instant.now().plusMillis(n), ProviderError.of("131047", 0, "Re-engagement message"));
                d.webhooks().accept(new WebhookBatch("meta", List.of(failed), List.of()));
                sql.update("DELETE FROM webhook_event");
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of = ?", id)).isEqualTo(1);
        assertThat(outbox.find("org-1", id).orElseThrow().lastError().code()).isEqualTo("131047");
    }

    @Test
    void anAcceptedMessageWithoutDeliveryFallsBackAfterTheDelay() {
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        ScriptedProvider sms = ScriptedProvider.sms();
        consent(Requests.phone(1), Channel.WHATSAPP);
        consent(Requests.phone(1), Channel.SMS);
        consent(Requests.phone(2), Channel.WHATSAPP);
        long silent = outbox.enqueue(Requests.template("org-1", 1)).message().id();
        long delivered = outbox.enqueue(Requests.template("org-1", 2)).message().id();
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .orNotDeliveredWithin(Duration.ofMinutes(30)).smsText(m -> "Rappel"));
        Dispatcher d = started(outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms)
                .fallbackRules(rules).maintenanceInterval(Duration.ofHours(1)));
        Eventually.await("both sent", WAIT, () -> sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'") == 2);
        d.webhooks().accept(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP,
                outbox.find("org-1", delivered).orElseThrow().providerMessageId(), DeliveryStatus.DELIVERED, Instant.now(), null)),
                List.of()));
        d.runMaintenance();
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL")).isZero();
        // forty minutes later, still no receipt for the first one
        sql.update("UPDATE outbound_message SET sent_at = sent_at - interval '40 minutes'");
        d.runMaintenance();
        d.runMaintenance();
        assertThat(sql.rows("SELECT fallback_of FROM outbound_message WHERE fallback_of IS NOT NULL"))
                .extracting(r -> r.get("fallback_of")).containsExactly(silent);
        OutboundMessage parent = outbox.find("org-1", silent).orElseThrow();
        assertThat(parent.status().name()).isEqualTo("SENT");
    }
}
