package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.jdbc.ops.MessagingLimitUsage;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Meta's messaging limit: a business account reaches at most its tier's unique recipients of
 * templates per rolling 24 hours; a new recipient past it waits for the window to free, without an
 * attempt, while recipients already counted and session messages go on.
 */
class MessagingLimitTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final String WABA = "1029384756";
    final MutableClock clock = new MutableClock(T0);
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ScriptedProvider meta;
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
        meta = ScriptedProvider.whatsapp();
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        ds.close();
    }

    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    void outbox(Integer defaultLimit) {
        JdbcOutbox.Builder b = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32]))
                .clock(clock).storeClock(StoreClock.CALLER);
        if (defaultLimit != null) {
            b.defaultMessagingLimit(defaultLimit);
        }
        outbox = b.build();
        for (String org : List.of("org-1", "org-2")) {
            outbox.providerConfigs().save(new ProviderConfig(org, org.equals("org-1") ? "111" : "222", WABA,
                    Secret.of("token-" + org), Secret.of("secret-" + org), true, 10_000), "test");
        }
        // every recipient of the tests consents
        sql.update("""
                INSERT INTO consentement (org_id, phone_number, channel, status, created_at, updated_at)
                SELECT o, '+336' || lpad(n::text, 8, '0'), 'WHATSAPP', 'GRANTED', now(), now()
                  FROM unnest(ARRAY['org-1', 'org-2']) o, generate_series(1, 400) n""");
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms()).clock(clock).batchSize(500)
                .fallbackRules(rules).meterRegistry(meters).closeTimeout(Duration.ofSeconds(10)).build();
    }

    FallbackRules rules = FallbackRules.none();

    void tier(String tier, Instant at) {
        dispatcher.webhooks().accept(new WebhookBatch("meta", List.of(), List.of(), List.of(
                new LifecycleEvent.NumberQualityChanged(WABA, "15550783881", "UPGRADE", tier, null, at))));
        dispatcher.runMaintenance();
    }

    long template(String org, int n, String key) {
        return outbox.enqueue(OutboundMessageRequest.whatsapp(org, Requests.phone(n))
                .template("appointment_reminder", "fr", "lundi " + n).idempotencyKey(key + "-" + n).build())
                .message().id();
    }

    long text(String org, int n) {
        return outbox.enqueue(Requests.text(org, n, "Bonjour")).message().id();
    }

    /** Templates to recipients {@code from..to} of org-1, sent. */
    List<Long> sendTemplates(int from, int to, String key) {
        List<Long> ids = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            ids.add(template(n % 2 == 0 ? "org-1" : "org-2", n, key));
        }
        dispatcher.dispatchOnce();
        return ids;
    }

    OutboundMessage message(long id) {
        return outbox.find("org-1", id).or(() -> outbox.find("org-2", id)).orElseThrow();
    }

    MessagingLimitUsage usage() {
        return outbox.operations().messagingLimits(Scope.org("org-1")).get(0);
    }

    void openSession(String org, int n) {
        sql.update("INSERT INTO whatsapp_session_window (org_id, phone_number, last_inbound_at, window_expires_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?)", org, Requests.phone(n), java.sql.Timestamp.from(clock.instant()),
                java.sql.Timestamp.from(clock.instant().plus(Duration.ofHours(24))),
                java.sql.Timestamp.from(clock.instant()));
    }

    @Test
    void theNewRecipientPastATier250AccountsLimitWaitsWhileACountedRecipientsTemplateGoes() {
        outbox(null);
        tier("TIER_250", T0);
        // two orgs of one business account share its 250 recipients
        List<Long> first = sendTemplates(1, 250, "a");
        assertThat(first).allSatisfy(id -> assertThat(message(id).status().name()).isEqualTo("SENT"));

        clock.advance(Duration.ofHours(1));
        long newRecipient = template("org-1", 251, "b");
        long counted = template("org-1", 2, "b");
        dispatcher.dispatchOnce();

        OutboundMessage waiting = message(newRecipient);
        assertThat(waiting.status().name()).isEqualTo("QUEUED");
        assertThat(waiting.attemptCount()).isZero();
        assertThat(waiting.lastError().code()).isEqualTo(OutboxErrorCodes.MESSAGING_LIMIT);
        assertThat(waiting.lastError().category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(waiting.nextAttemptAt()).isEqualTo(T0.plus(Duration.ofHours(24)));
        assertThat(meta.callsFor(newRecipient)).isZero();
        assertThat(message(counted).status().name()).isEqualTo("SENT");

        MessagingLimitUsage u = usage();
        assertThat(u.account()).isEqualTo(WABA);
        // an org's scope shows its account and no other org's name
        assertThat(u.orgIds()).containsExactly("org-1");
        assertThat(outbox.operations().messagingLimits(Scope.allOrgs())).singleElement()
                .satisfies(all -> assertThat(all.orgIds()).containsExactly("org-1", "org-2"));
        assertThat(u.recipients()).isEqualTo(250);
        assertThat(u.tier()).isEqualTo("TIER_250");
        assertThat(u.limit()).isEqualTo(250);
        assertThat(u.usagePercent()).isEqualTo(100.0);
    }

    @Test
    void theWindowFreesTwentyFourHoursAfterItsOldestRecipient() {
        outbox(null);
        tier("TIER_250", T0);
        sendTemplates(1, 250, "a");
        long newRecipient = template("org-1", 251, "b");
        dispatcher.dispatchOnce();
        assertThat(message(newRecipient).status().name()).isEqualTo("QUEUED");

        clock.set(T0.plus(Duration.ofHours(24)));
        dispatcher.runMaintenance();
        dispatcher.dispatchOnce();
        assertThat(message(newRecipient).status().name()).isEqualTo("SENT");
        assertThat(meta.callsFor(newRecipient)).isEqualTo(1);
        assertThat(usage().recipients()).isEqualTo(1);
    }

    @Test
    void sessionMessagesAndTemplatesInsideASessionWindowNeverCount() {
        outbox(null);
        tier("TIER_250", T0);
        sendTemplates(1, 250, "a");
        openSession("org-1", 300);
        openSession("org-1", 302);
        long free = text("org-1", 300);
        long inSession = template("org-1", 302, "b");
        dispatcher.dispatchOnce();

        assertThat(message(free).status().name()).isEqualTo("SENT");
        assertThat(message(inSession).status().name()).isEqualTo("SENT");
        assertThat(usage().recipients()).isEqualTo(250);
    }

    @Test
    void aTierChangeRaisesTheLimit() {
        outbox(null);
        tier("TIER_250", T0);
        sendTemplates(1, 250, "a");
        long newRecipient = template("org-1", 251, "b");
        dispatcher.dispatchOnce();
        assertThat(message(newRecipient).status().name()).isEqualTo("QUEUED");

        tier("TIER_2K", T0.plusSeconds(60));
        sql.update("UPDATE outbound_message SET next_attempt_at = ? WHERE id = ?", java.sql.Timestamp.from(T0), newRecipient);
        dispatcher.dispatchOnce();
        assertThat(message(newRecipient).status().name()).isEqualTo("SENT");
        assertThat(usage().limit()).isEqualTo(2000);
        assertThat(usage().recipients()).isEqualTo(251);
    }

    @Test
    void withoutATierTheConfiguredDefaultLimitsAndWithNeitherNothingIsCounted() {
        outbox(2);
        sendTemplates(1, 3, "a");
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE error_code = 'MESSAGING_LIMIT'")).isEqualTo(1);
        assertThat(usage().limit()).isEqualTo(2);
        assertThat(usage().tier()).isNull();

        tier("TIER_UNLIMITED", T0.plusSeconds(1));
        sql.update("UPDATE outbound_message SET next_attempt_at = ? WHERE status = 'QUEUED'", java.sql.Timestamp.from(T0));
        dispatcher.dispatchOnce();
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'")).isEqualTo(3);
        assertThat(usage().limit()).isNull();
        assertThat(usage().usagePercent()).isNull();
    }

    @Test
    void aNewRecipientPastTheLimitFallsBackAtOnceUnderARuleForRateLimitedDeadLetters() {
        rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.RATE_LIMITED).smsText(m -> "Rappel : votre rendez-vous"));
        outbox(1);
        sendTemplates(2, 2, "a");
        long over = template("org-1", 4, "b");
        dispatcher.dispatchOnce();
        assertThat(message(over).status().name()).isEqualTo("FAILED");
        assertThat(message(over).lastError().code()).isEqualTo(OutboxErrorCodes.MESSAGING_LIMIT);
        assertThat(outbox.findFallback("org-1", over)).isPresent();
        assertThat(meta.callsFor(over)).isZero();
    }

    @Test
    void theGaugeShowsEachOrgsShareOfItsAccountsLimit() {
        outbox(4);
        sendTemplates(1, 1, "a");
        dispatcher.runMaintenance();
        for (String org : List.of("org-1", "org-2")) {
            assertThat(meters.get("whatsapp.messaging.limit.usage.ratio").tag("org", org).gauge().value()).isEqualTo(0.25);
        }
        tier("TIER_UNLIMITED", T0.plusSeconds(1));
        assertThat(meters.get("whatsapp.messaging.limit.usage.ratio").tag("org", "org-1").gauge().value()).isZero();
    }
}
