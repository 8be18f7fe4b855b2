package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.T0;
import static io.whatsappoutbox.meta.Webhooks.WAMID;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static io.whatsappoutbox.meta.Webhooks.status;
import static io.whatsappoutbox.meta.Webhooks.statuses;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.TemplateDefinition.Category;
import io.whatsappoutbox.core.TemplateDefinition.Status;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.LifecycleEvent.AccountUpdated;
import io.whatsappoutbox.core.webhook.LifecycleEvent.MarketingPreferenceChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.NumberQualityChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateCategoryChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateQualityChanged;
import io.whatsappoutbox.core.webhook.LifecycleEvent.TemplateStatusChanged;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Meta's lifecycle webhooks, in the shapes of Meta's webhooks reference, become the core's
 * {@link LifecycleEvent}s in the batch.
 */
class LifecycleWebhookParserTest {
    static final String WABA = "102290129340398";
    static final Instant ENTRY_TIME = Instant.ofEpochSecond(1739321024L);

    final RecordingSink sink = new RecordingSink();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MetaWebhookHandler handler = Webhooks.handler(sink).meterRegistry(registry).build();

    private WebhookResponse handle(String json) {
        return handler.handle(Webhooks.signed(json));
    }

    /** An entry with {@code time}, as Meta sends the account-level fields. */
    private static String timed(String... changes) {
        return "{\"id\":\"" + WABA + "\",\"time\":1739321024,\"changes\":[" + String.join(",", changes) + "]}";
    }

    private static String field(String field, String value) {
        return "{\"value\":" + value + ",\"field\":\"" + field + "\"}";
    }

    private List<LifecycleEvent> events(String json) {
        WebhookResponse r = handle(json);
        assertThat(r.status()).isEqualTo(200);
        return sink.batches.isEmpty() ? List.of() : sink.only().events();
    }

    @Test
    void aPausedTemplateIsPausedWithItsTitleAndANumericId() {
        List<LifecycleEvent> events = events(envelope(timed(field("message_template_status_update",
                "{\"event\":\"PAUSED\",\"message_template_id\":1689556908129832,\"message_template_name\":"
                        + "\"order_confirmation\",\"message_template_language\":\"en-US\",\"reason\":\"NONE\","
                        + "\"message_template_category\":\"MARKETING\",\"other_info\":{\"title\":\"SECOND_PAUSE\","
                        + "\"description\":\"Your WhatsApp message template has been paused for 6 hours\"}}"))));

        assertThat(events).containsExactly(new TemplateStatusChanged(WABA, "1689556908129832", "order_confirmation",
                "en_US", "PAUSED", Status.PAUSED, "NONE", "SECOND_PAUSE", ENTRY_TIME));
    }

    @Test
    void reinstatedAndUnpausedTemplatesAreApprovedAgain() {
        List<LifecycleEvent> events = events(envelope(timed(
                field("message_template_status_update", "{\"event\":\"REINSTATED\",\"message_template_id\":1,"
                        + "\"message_template_name\":\"a\",\"message_template_language\":\"fr\",\"reason\":null}"),
                field("message_template_status_update", "{\"event\":\"PAUSED\",\"message_template_id\":2,"
                        + "\"message_template_name\":\"b\",\"message_template_language\":\"fr\",\"reason\":\"NONE\","
                        + "\"other_info\":{\"title\":\"UNPAUSE\",\"description\":\"Unpaused\"}}"),
                field("message_template_status_update", "{\"event\":\"REJECTED\",\"message_template_id\":3,"
                        + "\"message_template_name\":\"c\",\"message_template_language\":\"en_US\",\"reason\":"
                        + "\"INVALID_FORMAT\",\"rejection_info\":{\"reason\":\"x\",\"recommendation\":\"y\"}}"),
                field("message_template_status_update", "{\"event\":\"SOMETHING_NEW\",\"message_template_id\":4,"
                        + "\"message_template_name\":\"d\",\"message_template_language\":\"en_US\"}"))));

        assertThat(events).extracting(e -> ((TemplateStatusChanged) e).status())
                .containsExactly(Status.APPROVED, Status.APPROVED, Status.REJECTED, Status.UNKNOWN);
        assertThat(((TemplateStatusChanged) events.get(0)).reason()).isNull();
        assertThat(((TemplateStatusChanged) events.get(2)).reason()).isEqualTo("INVALID_FORMAT");
    }

    @Test
    void aCompletedCategoryChangeIsAnEventAndAnImpendingOneIsNot() {
        List<LifecycleEvent> events = events(envelope(timed(
                field("template_category_update", "{\"message_template_id\":12345678,\"message_template_name\":"
                        + "\"my_message_template\",\"message_template_language\":\"en_US\",\"correct_category\":"
                        + "\"MARKETING\",\"new_category\":\"UTILITY\",\"category_update_timestamp\":1746169200}"),
                field("template_category_update", "{\"message_template_id\":12345678,\"message_template_name\":"
                        + "\"my_message_template\",\"message_template_language\":\"en_US\",\"previous_category\":"
                        + "\"UTILITY\",\"new_category\":\"MARKETING\"}"))));

        assertThat(events).containsExactly(new TemplateCategoryChanged(WABA, "12345678", "my_message_template",
                "en_US", Category.UTILITY, Category.MARKETING, ENTRY_TIME));
    }

    @Test
    void aTemplatesQualityChange() {
        List<LifecycleEvent> events = events(envelope(timed(field("message_template_quality_update",
                "{\"previous_quality_score\":\"GREEN\",\"new_quality_score\":\"YELLOW\",\"message_template_id\":"
                        + "806312974732579,\"message_template_name\":\"welcome_template\","
                        + "\"message_template_language\":\"en-US\"}"))));

        assertThat(events).containsExactly(new TemplateQualityChanged(WABA, "806312974732579", "welcome_template",
                "en_US", "GREEN", "YELLOW", ENTRY_TIME));
    }

    @Test
    void aNumbersLimitReadsThePortfoliosTierFirst() {
        List<LifecycleEvent> events = events(envelope(timed(
                field("phone_number_quality_update", "{\"display_phone_number\":\"15550783881\",\"event\":"
                        + "\"THROUGHPUT_UPGRADE\",\"current_limit\":\"TIER_UNLIMITED\","
                        + "\"max_daily_conversations_per_business\":\"TIER_2K\"}"),
                field("phone_number_quality_update", "{\"display_phone_number\":\"15550783881\",\"event\":"
                        + "\"FLAGGED\",\"current_limit\":\"TIER_1K\"}"))));

        assertThat(events).containsExactly(
                new NumberQualityChanged(WABA, "15550783881", "THROUGHPUT_UPGRADE", "TIER_2K", null, ENTRY_TIME),
                new NumberQualityChanged(WABA, "15550783881", "FLAGGED", "TIER_1K", null, ENTRY_TIME));
    }

    @Test
    void anAccountRestrictionWithItsExpirationAndABan() {
        List<LifecycleEvent> events = events(envelope(timed(
                field("account_update", "{\"event\":\"ACCOUNT_RESTRICTION\",\"restriction_info\":["
                        + "{\"restriction_type\":\"RESTRICTED_BIZ_INITIATED_MESSAGING\",\"expiration\":1641330498},"
                        + "{\"restriction_type\":\"RESTRICTED_ADD_PHONE_NUMBER_ACTION\","
                        + "\"expiration\":\"2022-01-05T10:00:00+0000\"}]}"),
                field("account_update", "{\"event\":\"DISABLED_UPDATE\",\"ban_info\":{\"waba_ban_state\":\"DISABLE\","
                        + "\"waba_ban_date\":\"April 17, 2025\"}}"))));

        assertThat(events).containsExactly(
                new AccountUpdated(WABA, "ACCOUNT_RESTRICTION", List.of("RESTRICTED_BIZ_INITIATED_MESSAGING",
                        "RESTRICTED_ADD_PHONE_NUMBER_ACTION"), Instant.parse("2022-01-05T10:00:00Z"), null, ENTRY_TIME),
                new AccountUpdated(WABA, "DISABLED_UPDATE", List.of(), null, "DISABLE", ENTRY_TIME));
        assertThat(((AccountUpdated) events.get(0)).restrictsBusinessInitiated()).isTrue();
    }

    @Test
    void aMarketingStopAndResumeFromTheOrgOfTheNumber() {
        String value = "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\","
                + "\"phone_number_id\":\"" + PHONE_ID_1 + "\"},\"contacts\":[{\"profile\":{\"name\":\"Sheena Nelson\"},"
                + "\"wa_id\":\"16505551234\"}],\"user_preferences\":["
                + "{\"wa_id\":\"16505551234\",\"detail\":\"User requested to stop marketing messages\","
                + "\"category\":\"marketing_messages\",\"value\":\"stop\",\"timestamp\":1731705721},"
                + "{\"wa_id\":\"16505551235\",\"detail\":\"User requested to resume marketing messages\","
                + "\"category\":\"marketing_messages\",\"value\":\"resume\",\"timestamp\":1731705722},"
                + "{\"wa_id\":\"16505551236\",\"detail\":\"User signed up via signup link\","
                + "\"category\":\"marketing_messages\",\"value\":\"signup\",\"timestamp\":1731705723}]}";
        // no entry.time in user_preferences payloads
        List<LifecycleEvent> events = events(envelope(Webhooks.entry(WABA, field("user_preferences", value))));

        assertThat(events).containsExactly(
                new MarketingPreferenceChanged(WABA, "org-1", PhoneNumber.of("+16505551234"), true,
                        Instant.ofEpochSecond(1731705721L)),
                new MarketingPreferenceChanged(WABA, "org-1", PhoneNumber.of("+16505551235"), false,
                        Instant.ofEpochSecond(1731705722L)));
    }

    @Test
    void aPreferenceForAnUnknownNumberIsSkippedAsMessagesAre() {
        String value = "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"999999999999999\"},"
                + "\"user_preferences\":[{\"wa_id\":\"16505551234\",\"category\":\"marketing_messages\","
                + "\"value\":\"stop\",\"timestamp\":1731705721}]}";

        assertThat(events(envelope(Webhooks.entry(WABA, field("user_preferences", value))))).isEmpty();
        assertThat(registry.get("whatsapp.webhook.skipped").tag("reason", "unknown_phone_number_id").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void withoutEntryTimeTheEventHappenedWhenItArrived() {
        List<LifecycleEvent> events = events(envelope(Webhooks.entry(WABA, field("message_template_quality_update",
                "{\"previous_quality_score\":\"YELLOW\",\"new_quality_score\":\"RED\",\"message_template_id\":\"7\","
                        + "\"message_template_name\":\"t\",\"message_template_language\":\"fr\"}"))));

        assertThat(events).extracting(LifecycleEvent::occurredAt).containsExactly(T0);
        assertThat(((TemplateQualityChanged) events.get(0)).templateId()).isEqualTo("7");
    }

    @Test
    void aMalformedLifecycleChangeIsSkippedAndTheRestOfTheBodyApplied() {
        String badPreference = "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"" + PHONE_ID_1
                + "\"},\"user_preferences\":[{\"wa_id\":\"not-a-number-16505551234\",\"category\":"
                + "\"marketing_messages\",\"value\":\"stop\",\"timestamp\":1731705721}]}";
        WebhookResponse r;
        String logged;
        try (LogCapture logs = new LogCapture()) {
            r = handle(envelope(timed(
                field("message_template_status_update", "{\"message_template_id\":1,\"message_template_name\":\"a\"}"),
                field("account_update", "[1,2]"),
                field("user_preferences", badPreference),
                field("message_template_quality_update", "{\"new_quality_score\":\"RED\",\"message_template_name\":"
                        + "\"t\",\"message_template_language\":\"fr\"}"),
                change(PHONE_ID_1, statuses(status(WAMID, "sent", "1749416383"))))));
            logged = logs.all();
        }

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.only().receipts()).hasSize(1);
        assertThat(sink.only().events()).hasSize(1);
        assertThat(registry.get("whatsapp.webhook.skipped").tag("reason", "malformed_lifecycle_event").counter()
                .count()).isEqualTo(3.0);
        assertThat(logged).contains("malformed lifecycle change").contains("event is missing")
                .doesNotContain("16505551234");
    }

    @Test
    void fieldsTheOutboxDoesNotUseAreStillIgnored() {
        WebhookResponse r = handle(envelope(timed(field("business_capability_update",
                "{\"max_daily_conversations_per_business\":2000,\"max_phone_numbers_per_business\":2}"))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.batches).isEmpty();
    }
}
