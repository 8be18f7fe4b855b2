package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.APP_SECRET;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WebhookSecrets.Candidate;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.webhook.LifecycleEvent.NumberQualityChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateStatusChanged;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The account-level webhooks (templates, number quality, account) name a business account, not a
 * phone number: they apply to every org of that account, so only a secret of all of them may sign one.
 */
class AccountWebhookSignatureTest {
    static final Secret ORG_1_SECRET = Secret.of("org-1-app-secret-0123");
    static final Secret ORG_2_SECRET = Secret.of("org-2-app-secret-4567");
    static final WebhookSecrets PER_ORG = now -> List.of(new Candidate("org-1", ORG_1_SECRET, null),
            new Candidate("org-2", ORG_2_SECRET, null));
    static final String WABA_1 = TestAccounts.ORG_1.businessAccountId();
    static final String WABA_2 = TestAccounts.ORG_2.businessAccountId();

    final RecordingSink sink = new RecordingSink();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    static String templatePaused(String waba) {
        return envelope(entry(waba, "{\"value\":{\"event\":\"PAUSED\",\"message_template_id\":1689556908129832,"
                + "\"message_template_name\":\"appointment_reminder\",\"message_template_language\":\"fr\","
                + "\"reason\":\"NONE\",\"other_info\":{\"title\":\"FIRST_PAUSE\",\"description\":\"paused\"}},"
                + "\"field\":\"message_template_status_update\"}"));
    }

    static String numberFlagged(String waba) {
        return envelope(entry(waba, "{\"value\":{\"display_phone_number\":\"15550783881\",\"event\":\"FLAGGED\","
                + "\"current_limit\":\"TIER_1K\"},\"field\":\"phone_number_quality_update\"}"));
    }

    private MetaWebhookHandler handler(WebhookSecrets secrets, TestAccounts accounts) {
        return Webhooks.handler(sink).secrets(secrets).accounts(accounts).meterRegistry(registry).build();
    }

    private double counted(String meter, String reason) {
        return registry.find(meter).tag("reason", reason).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void oneOrgsSecretCannotChangeAnotherOrgsTemplatesOrNumbers() {
        MetaWebhookHandler h = handler(PER_ORG, TestAccounts.standard());

        for (String body : List.of(templatePaused(WABA_2), numberFlagged(WABA_2))) {
            WebhookResponse r = h.handle(Webhooks.signed(ORG_1_SECRET, body));
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("{\"error\":\"invalid signature\"}");
        }
        assertThat(sink.batches).isEmpty();
        assertThat(counted("whatsapp.webhook.signature.failures", "org_mismatch")).isEqualTo(2);
    }

    @Test
    void anOrgsOwnSecretChangesItsOwnBusinessAccount() {
        MetaWebhookHandler h = handler(PER_ORG, TestAccounts.standard());

        assertThat(h.handle(Webhooks.signed(ORG_1_SECRET, templatePaused(WABA_1))).status()).isEqualTo(200);
        assertThat(h.handle(Webhooks.signed(ORG_2_SECRET, numberFlagged(WABA_2))).status()).isEqualTo(200);

        assertThat(sink.batches).hasSize(2);
        assertThat(sink.batches.get(0).events()).singleElement().isInstanceOfSatisfying(TemplateStatusChanged.class,
                e -> assertThat(e.businessAccountId()).isEqualTo(WABA_1));
        assertThat(sink.batches.get(1).events()).singleElement().isInstanceOfSatisfying(NumberQualityChanged.class,
                e -> assertThat(e.businessAccountId()).isEqualTo(WABA_2));
    }

    @Test
    void aBusinessAccountNoOrgHasIsSkippedAndCounted() {
        MetaWebhookHandler h = handler(PER_ORG, TestAccounts.standard());

        WebhookResponse r = h.handle(Webhooks.signed(ORG_1_SECRET, templatePaused("999999999999999")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"received\":0}");
        assertThat(sink.batches).isEmpty();
        assertThat(counted("whatsapp.webhook.skipped", "unknown_business_account_id")).isEqualTo(1);
    }

    @Test
    void aSharedAppSecretSpeaksForEveryOrgsBusinessAccount() {
        MetaWebhookHandler h = handler(WebhookSecrets.shared(APP_SECRET), TestAccounts.standard());

        assertThat(h.handle(Webhooks.signed(APP_SECRET, templatePaused(WABA_1))).status()).isEqualTo(200);
        assertThat(h.handle(Webhooks.signed(APP_SECRET, numberFlagged(WABA_2))).status()).isEqualTo(200);
        assertThat(sink.batches).hasSize(2);
    }

    @Test
    void aBusinessAccountOfTwoOrgsNeedsASecretOfBoth() {
        TestAccounts twoOrgsOneWaba = new TestAccounts(List.of(TestAccounts.ORG_1,
                new WhatsAppAccount("org-2", TestAccounts.ORG_2.phoneNumberId(), WABA_1, Secret.of("EAAJ-2"), true)));
        Secret common = Secret.of("one-meta-app-secret");

        refusedForTheOtherOrg(handler(PER_ORG, twoOrgsOneWaba), ORG_1_SECRET);
        MetaWebhookHandler same = handler(now -> List.of(new Candidate("org-1", common, null),
                new Candidate("org-2", common, null)), twoOrgsOneWaba);
        assertThat(same.handle(Webhooks.signed(common, templatePaused(WABA_1))).status()).isEqualTo(200);
        assertThat(sink.batches).hasSize(1);
    }

    private void refusedForTheOtherOrg(MetaWebhookHandler h, Secret oneOrgsSecret) {
        assertThat(h.handle(Webhooks.signed(oneOrgsSecret, templatePaused(WABA_1))).status()).isEqualTo(401);
        assertThat(sink.batches).isEmpty();
    }
}
