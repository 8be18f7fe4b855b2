package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Meta's template lifecycle changes what is sent: a paused template's messages wait for the pause
 * without an attempt (or fall back under a rule), an approval sends them at once, a disabled
 * template's are dead-lettered; the org's other templates and the account's other orgs' go on.
 */
class LifecycleHoldsTest {
    static final String WABA = "1029384756";
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ScriptedProvider meta;
    ScriptedProvider sms;
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build();
        sql = new Sql(ds);
        meta = ScriptedProvider.whatsapp();
        sms = ScriptedProvider.sms();
        for (String org : List.of("org-1", "org-2")) {
            outbox.providerConfigs().save(new ProviderConfig(org, org.equals("org-1") ? "111" : "222", WABA,
                    Secret.of("token-" + org), Secret.of("secret-" + org), true, null), "test");
        }
        outbox.providerConfigs().save(new ProviderConfig("org-3", "333", "5647382910", Secret.of("token-3"),
                Secret.of("secret-3"), true, null), "test");
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        ds.close();
    }

    Dispatcher dispatcher(FallbackRules rules) {
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms).fallbackRules(rules)
                .closeTimeout(Duration.ofSeconds(10)).build();
        return dispatcher;
    }

    long enqueue(String org, int n, String template) {
        outbox.consents().grant(org, io.whatsappoutbox.core.PhoneNumber.of(Requests.phone(n)), Channel.WHATSAPP, "test",
                "test");
        outbox.consents().grant(org, io.whatsappoutbox.core.PhoneNumber.of(Requests.phone(n)), Channel.SMS, "test",
                "test");
        return outbox.enqueue(io.whatsappoutbox.core.OutboundMessageRequest.whatsapp(org, Requests.phone(n))
                .template(template, "fr", "lundi " + n).idempotencyKey(template + "-" + n).build()).message().id();
    }

    static LifecycleEvent.TemplateStatusChanged status(String event, TemplateDefinition.Status status, String title,
            Instant at) {
        return new LifecycleEvent.TemplateStatusChanged(WABA, "1689556908129832", "appointment_reminder", "fr", event,
                status, "NONE", title, at);
    }

    WebhookResult webhook(LifecycleEvent event) {
        return dispatcher.webhooks().accept(new WebhookBatch("meta", List.of(), List.of(), List.of(event)));
    }

    OutboundMessage message(String org, long id) {
        return outbox.find(org, id).orElseThrow();
    }

    @Test
    void aPausedTemplatesMessagesWaitForThePauseWithoutAnAttemptWhileOtherTemplatesAndAccountsGoOn() {
        long held = enqueue("org-1", 1, "appointment_reminder");
        long sameAccount = enqueue("org-2", 2, "appointment_reminder");
        long otherTemplate = enqueue("org-1", 3, "urgent_notification");
        long otherAccount = enqueue("org-3", 4, "appointment_reminder");
        Instant pausedAt = Instant.now();
        Dispatcher d = dispatcher(FallbackRules.none());
        assertThat(webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "FIRST_PAUSE", pausedAt)).applied())
                .isEqualTo(1);
        d.runMaintenance();
        d.dispatchOnce();

        for (long id : List.of(held, sameAccount)) {
            OutboundMessage m = message(id == held ? "org-1" : "org-2", id);
            assertThat(m.status().name()).isEqualTo("QUEUED");
            assertThat(m.attemptCount()).isZero();
            assertThat(m.lastError().code()).isEqualTo(OutboxErrorCodes.TEMPLATE_PAUSED);
            assertThat(m.lastError().category()).isEqualTo(ErrorCategory.TEMPLATE);
            assertThat(m.nextAttemptAt()).isAfter(pausedAt.plus(Duration.ofHours(3)).minusSeconds(1));
            assertThat(meta.callsFor(id)).isZero();
        }
        assertThat(message("org-1", otherTemplate).status().name()).isEqualTo("SENT");
        assertThat(message("org-3", otherAccount).status().name()).isEqualTo("SENT");
    }

    @Test
    void aSecondPauseHoldsSixHours() {
        long held = enqueue("org-1", 1, "appointment_reminder");
        Instant pausedAt = Instant.now();
        Dispatcher d = dispatcher(FallbackRules.none());
        webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "SECOND_PAUSE", pausedAt));
        d.runMaintenance();
        d.dispatchOnce();
        assertThat(message("org-1", held).nextAttemptAt()).isAfter(pausedAt.plus(Duration.ofHours(6)).minusSeconds(1));
    }

    @Test
    void anApprovalSendsTheHeldMessagesAtOnce() {
        long held = enqueue("org-1", 1, "appointment_reminder");
        Dispatcher d = dispatcher(FallbackRules.none());
        webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "FIRST_PAUSE", Instant.now()));
        d.runMaintenance();
        d.dispatchOnce();
        assertThat(message("org-1", held).status().name()).isEqualTo("QUEUED");

        webhook(status("REINSTATED", TemplateDefinition.Status.APPROVED, "UNPAUSE", Instant.now().plusSeconds(1)));
        d.runMaintenance();
        d.dispatchOnce();
        assertThat(message("org-1", held).status().name()).isEqualTo("SENT");
        assertThat(sql.count("SELECT count(*) FROM whatsapp_template_hold")).isZero();
    }

    @Test
    void aPausedTemplateFallsBackAtOnceUnderARuleForTemplateDeadLetters() {
        long held = enqueue("org-1", 1, "appointment_reminder");
        Dispatcher d = dispatcher(FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.TEMPLATE).smsText(m -> "Rappel : votre rendez-vous")));
        webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "FIRST_PAUSE", Instant.now()));
        d.runMaintenance();
        d.dispatchOnce();
        assertThat(message("org-1", held).status().name()).isEqualTo("FAILED");
        assertThat(message("org-1", held).lastError().code()).isEqualTo(OutboxErrorCodes.TEMPLATE_PAUSED);
        assertThat(outbox.findFallback("org-1", held)).isPresent();
        assertThat(meta.callsFor(held)).isZero();
    }

    @Test
    void aDisabledTemplatesMessagesAreDeadLetteredAndAudited() {
        long disabled = enqueue("org-1", 1, "appointment_reminder");
        long other = enqueue("org-1", 2, "urgent_notification");
        Dispatcher d = dispatcher(FallbackRules.none());
        webhook(status("DISABLED", TemplateDefinition.Status.DISABLED, "DISABLED", Instant.now()));
        d.runMaintenance();
        d.dispatchOnce();
        OutboundMessage m = message("org-1", disabled);
        assertThat(m.status().name()).isEqualTo("FAILED");
        assertThat(m.lastError().code()).isEqualTo(OutboxErrorCodes.TEMPLATE_DISABLED);
        assertThat(m.lastError().category()).isEqualTo(ErrorCategory.TEMPLATE);
        assertThat(meta.callsFor(disabled)).isZero();
        assertThat(message("org-1", other).status().name()).isEqualTo("SENT");
        assertThat(sql.one("SELECT details_json->>'queuedMessages' FROM outbox_audit"
                + " WHERE action = 'TEMPLATE_LIFECYCLE' AND org_scope = 'org-1'")).isEqualTo("1");
        assertThat(sql.one("SELECT details_json->>'effect' FROM outbox_audit"
                + " WHERE action = 'TEMPLATE_LIFECYCLE' AND org_scope = 'org-2'")).isEqualTo("never sent again");
        assertThat(outbox.operations().deadLetterReport(io.whatsappoutbox.jdbc.ops.Scope.org("org-1"),
                io.whatsappoutbox.jdbc.ops.DeadLetterQuery.defaults()).recommendations())
                .anySatisfy(r -> assertThat(r).startsWith("1 TEMPLATE_DISABLED: Meta disabled"));
    }

    @Test
    void aRepeatedWebhookIsAppliedOnce() {
        Instant at = Instant.now();
        dispatcher(FallbackRules.none());
        assertThat(webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "FIRST_PAUSE", at)).applied()).isEqualTo(1);
        WebhookResult again = webhook(status("PAUSED", TemplateDefinition.Status.PAUSED, "FIRST_PAUSE", at));
        assertThat(again.applied()).isZero();
        assertThat(again.duplicates()).isEqualTo(1);
        // one row per org of the account, once
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'TEMPLATE_LIFECYCLE'")).isEqualTo(2);
    }

    @Test
    void anAccountRestrictionAndANumbersQualityAreStored() {
        dispatcher(FallbackRules.none());
        Instant until = Instant.now().plus(Duration.ofDays(2));
        webhook(new LifecycleEvent.AccountUpdated(WABA, "ACCOUNT_RESTRICTION",
                List.of("RESTRICTED_BIZ_INITIATED_MESSAGING"), until, null, Instant.now()));
        webhook(new LifecycleEvent.NumberQualityChanged(WABA, "15550783881", "THROUGHPUT_UPGRADE", "TIER_2K", null,
                Instant.now()));
        assertThat(sql.one("SELECT last_event FROM whatsapp_account_state WHERE business_account_id = ?", WABA))
                .isEqualTo("ACCOUNT_RESTRICTION");
        assertThat(sql.one("SELECT messaging_limit FROM whatsapp_number_state WHERE business_account_id = ?", WABA))
                .isEqualTo("TIER_2K");
        webhook(new LifecycleEvent.NumberQualityChanged(WABA, "15550783882", "FLAGGED", null, "RED",
                Instant.now().plusSeconds(1)));
        webhook(new LifecycleEvent.NumberQualityChanged(WABA, "15550783881", "UPGRADE", null, "GREEN",
                Instant.now().plusSeconds(2)));
        assertThat(outbox.dispatchStore().sendingHolds(Instant.now()).marketing())
                .extracting(h -> h.orgId()).containsExactlyInAnyOrder("org-1", "org-2", "org-1", "org-2");
        var configs = outbox.operations().providerConfigs(io.whatsappoutbox.jdbc.ops.Scope.org("org-1"));
        assertThat(configs).singleElement().satisfies(c -> {
            assertThat(c.qualityRating()).isEqualTo("RED");
            assertThat(c.messagingLimit()).isEqualTo("TIER_2K");
            assertThat(c.accountStanding()).startsWith("RESTRICTED_BIZ_INITIATED_MESSAGING until ");
        });
        assertThat(outbox.operations().providerConfigs(io.whatsappoutbox.jdbc.ops.Scope.org("org-3")))
                .singleElement().satisfies(c -> {
                    assertThat(c.qualityRating()).isNull();
                    assertThat(c.accountStanding()).isEqualTo("ok");
                });
    }

    @Test
    void aTemplateThatBecomesMarketingNeedsMarketingConsentForItsQueuedMessages() {
        long queued = enqueue("org-1", 1, "appointment_reminder");
        Dispatcher d = dispatcher(FallbackRules.none());
        webhook(new LifecycleEvent.TemplateCategoryChanged(WABA, "1689556908129832", "appointment_reminder", "fr",
                TemplateDefinition.Category.UTILITY, TemplateDefinition.Category.MARKETING, Instant.now()));
        d.dispatchOnce();
        OutboundMessage m = message("org-1", queued);
        assertThat(m.purpose()).isEqualTo(io.whatsappoutbox.core.ConsentPurpose.MARKETING);
        assertThat(m.status().name()).isEqualTo("FAILED");
        assertThat(m.lastError().code()).isEqualTo(OutboxErrorCodes.NO_CONSENT);
        assertThat(meta.callsFor(queued)).isZero();
    }

    @Test
    void aRestrictedAccountHoldsItsMarketingWhileItsUtilityMessagesGo() {
        io.whatsappoutbox.core.PhoneNumber to = io.whatsappoutbox.core.PhoneNumber.of(Requests.phone(7));
        outbox.consents().grant("org-1", to, Channel.WHATSAPP, io.whatsappoutbox.core.ConsentPurpose.MARKETING, "test",
                "test");
        long utility = enqueue("org-1", 7, "appointment_reminder");
        long marketing = outbox.enqueue(io.whatsappoutbox.core.OutboundMessageRequest.whatsapp("org-1", Requests.phone(7))
                .template("new_listing_alert", "fr", "T3", "Marseille").purpose(io.whatsappoutbox.core.ConsentPurpose.MARKETING)
                .idempotencyKey("offer-7").build()).message().id();
        Instant until = Instant.now().plus(Duration.ofDays(2));
        Dispatcher d = dispatcher(FallbackRules.none());
        webhook(new LifecycleEvent.AccountUpdated(WABA, "ACCOUNT_RESTRICTION",
                List.of("RESTRICTED_BIZ_INITIATED_MESSAGING"), until, null, Instant.now()));
        d.runMaintenance();
        d.dispatchOnce();
        assertThat(message("org-1", utility).status().name()).isEqualTo("SENT");
        OutboundMessage held = message("org-1", marketing);
        assertThat(held.status().name()).isEqualTo("QUEUED");
        assertThat(held.attemptCount()).isZero();
        assertThat(held.lastError().code()).isEqualTo(OutboxErrorCodes.MARKETING_HALTED);
        assertThat(held.nextAttemptAt()).isAfter(until.minusSeconds(1));
        assertThat(meta.callsFor(marketing)).isZero();
    }
}
