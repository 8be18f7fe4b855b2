package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.TemplateDefinition.Button;
import io.whatsappoutbox.core.TemplateDefinition.Category;
import io.whatsappoutbox.core.TemplateDefinition.Header;
import io.whatsappoutbox.core.TemplateDefinition.ParameterFormat;
import io.whatsappoutbox.core.TemplateDefinition.Status;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry is synced from the template list in one transaction, kept up to date by the
 * lifecycle webhooks, and checked at enqueue once the org was synced.
 */
class TemplateRegistryTest {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    static final String WABA = "102290129340398";
    static final String ORG = "org-1";

    static final TemplateDefinition REMINDER = new TemplateDefinition("1001", "appointment_reminder", "fr",
            Status.APPROVED, Category.UTILITY, ParameterFormat.POSITIONAL, null, List.of("1"), List.of(), "GREEN",
            null, T0);
    static final TemplateDefinition LISTING = new TemplateDefinition("1002", "new_listing_alert", "fr",
            Status.APPROVED, Category.MARKETING, ParameterFormat.POSITIONAL,
            new Header(Template.Header.Type.IMAGE, null), List.of("1", "2"),
            List.of(new Button(0, "URL", true), new Button(1, "QUICK_REPLY", false)), null, null, T0);
    static final TemplateDefinition PAUSED = new TemplateDefinition("1003", "old_promo", "fr", Status.PAUSED,
            Category.MARKETING, ParameterFormat.POSITIONAL, null, List.of(), List.of(), "RED", "NONE", T0);
    static final TemplateDefinition NAMED = new TemplateDefinition("1004", "order_shipped", "en_US",
            Status.APPROVED, Category.UTILITY, ParameterFormat.NAMED,
            new Header(Template.Header.Type.TEXT, "order_id"), List.of("first_name", "date"), List.of(), null, null, T0);

    HikariDataSource ds;
    MutableClock clock;
    JdbcOutbox outbox;
    Sql sql;

    /** Meta's list in two pages, as the Meta source reads it; counts the fetches. */
    static final class TwoPages implements TemplateSource {
        final List<List<TemplateDefinition>> pages;
        final AtomicInteger fetches = new AtomicInteger();
        WhatsAppAccount askedFor;

        TwoPages(List<TemplateDefinition> first, List<TemplateDefinition> second) {
            this.pages = List.of(first, second);
        }

        @Override
        public List<TemplateDefinition> fetch(WhatsAppAccount account) {
            fetches.incrementAndGet();
            askedFor = account;
            List<TemplateDefinition> all = new ArrayList<>();
            pages.forEach(all::addAll);
            return all;
        }
    }

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(T0);
        outbox = build(TemplateCheck.STRICT);
        outbox.providerConfigs().save(new ProviderConfig(ORG, "106540352242922", WABA, Secret.of("EAAJ-token"), null,
                true, null), "test");
        sql = new Sql(ds);
    }

    JdbcOutbox build(TemplateCheck check) {
        return JdbcOutbox.builder().dataSource(ds).clock(clock)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", KEY)).templateCheck(check).build();
    }

    static final String KEY = EncryptionKeys.generateBase64Key();

    @AfterEach
    void stop() {
        ds.close();
    }

    void syncStandard() {
        outbox.templates().sync(ORG, new TwoPages(List.of(REMINDER, LISTING), List.of(PAUSED, NAMED)));
    }

    static OutboundMessageRequest send(int n, Template t) {
        return OutboundMessageRequest.whatsapp(ORG, Requests.phone(n)).content(t).idempotencyKey("k-" + n).build();
    }

    long messages() {
        return sql.count("SELECT count(*) FROM outbound_message");
    }

    @Test
    void aSyncStoresBothPagesWithTheirShapeAndSetsTheMarker() {
        TwoPages source = new TwoPages(List.of(REMINDER, LISTING), List.of(PAUSED, NAMED));
        TemplateRegistry.SyncReport report = outbox.templates().sync(ORG, source);
        assertThat(source.askedFor.businessAccountId()).isEqualTo(WABA);
        assertThat(report.templates()).isEqualTo(4);
        assertThat(report.previous()).isZero();
        assertThat(outbox.templates().list(ORG)).extracting(TemplateDefinition::name)
                .containsExactly("appointment_reminder", "new_listing_alert", "old_promo", "order_shipped");
        TemplateDefinition listing = outbox.templates().find(ORG, "new_listing_alert", "fr").orElseThrow();
        assertThat(listing).usingRecursiveComparison().ignoringFields("updatedAt").isEqualTo(LISTING);
        assertThat(outbox.templates().find(ORG, "order_shipped", "en-US").orElseThrow())
                .usingRecursiveComparison().ignoringFields("updatedAt").isEqualTo(NAMED);
        assertThat(outbox.templates().lastSync(ORG)).contains(T0);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'SYNC_TEMPLATES' AND org_scope = ?",
                ORG)).isEqualTo(1);
    }

    @Test
    void aSecondSyncReplacesTheOrgsTemplates() {
        syncStandard();
        clock.advance(java.time.Duration.ofHours(1));
        TemplateRegistry.SyncReport report = outbox.templates().sync(ORG,
                new TwoPages(List.of(REMINDER.withStatus(Status.PAUSED, "NONE", T0)), List.of()));
        assertThat(report.previous()).isEqualTo(4);
        assertThat(outbox.templates().list(ORG)).extracting(TemplateDefinition::name, TemplateDefinition::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("appointment_reminder", Status.PAUSED));
        assertThat(outbox.templates().lastSync(ORG)).contains(T0.plusSeconds(3600));
    }

    @Test
    void aFailedFetchChangesNothing() {
        syncStandard();
        clock.advance(java.time.Duration.ofHours(1));
        long audits = sql.count("SELECT count(*) FROM outbox_audit");
        assertThatThrownBy(() -> outbox.templates().sync(ORG, account -> {
            throw new IllegalStateException("Template list of org org-1 (business account " + WABA + ") failed: HTTP 500");
        })).hasMessageContaining("HTTP 500");
        assertThat(outbox.templates().list(ORG)).hasSize(4);
        assertThat(outbox.templates().lastSync(ORG)).contains(T0);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).isEqualTo(audits);
    }

    @Test
    void aNeverSyncedOrgChecksNothing() {
        outbox.enqueue(send(1, Template.named("no_such_template", "fr").body("a", "b")));
        assertThat(messages()).isEqualTo(1);
        assertThat(outbox.templates().lastSync(ORG)).isEmpty();
    }

    @Test
    void aTemplateNotInTheRegistryInThatLanguageIsRefusedAndNothingOfTheCallIsWritten() {
        syncStandard();
        List<OutboundMessageRequest> batch = List.of(send(1, Template.named("appointment_reminder", "fr").body("lundi")),
                send(2, Template.named("appointment_reminder", "en").body("monday")));
        assertThatThrownBy(() -> outbox.enqueueAll(batch))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns("content.template.name")).isTrue();
                    assertThat(e.getMessage()).contains("appointment_reminder").contains("(en)");
                });
        assertThat(messages()).isZero();
    }

    @Test
    void aPausedTemplateIsRefused() {
        syncStandard();
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("old_promo", "fr"))))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns("content.template.name")).isTrue();
                    assertThat(e.getMessage()).contains("old_promo").contains("PAUSED");
                });
        assertThat(messages()).isZero();
    }

    @Test
    void aSendMatchingTheRegistryIsEnqueued() {
        syncStandard();
        outbox.enqueueAll(List.of(send(1, Template.named("appointment_reminder", "fr").body("lundi")),
                send(2, Template.named("new_listing_alert", "fr").headerImage(URI.create("https://example.com/a.jpg"))
                        .body("Lyon", "250 000 EUR").urlButton(0, "flat-42")),
                send(3, new Template("order_shipped", "en_US", List.of(Template.Parameter.named("date", "Monday"),
                        Template.Parameter.named("first_name", "Marc")), Template.Header.namedText("order_id", "A12"),
                        List.of(), null))));
        assertThat(messages()).isEqualTo(3);
    }

    @Test
    void aTemplateTheRegistryHoldsAsMarketingNeedsMarketingConsent() {
        syncStandard();
        var results = outbox.enqueueAll(List.of(send(1, Template.named("appointment_reminder", "fr").body("lundi")),
                send(2, Template.named("new_listing_alert", "fr").headerImage(URI.create("https://example.com/a.jpg"))
                        .body("Lyon", "250 000 EUR").urlButton(0, "flat-42"))));
        assertThat(results).extracting(r -> r.message().purpose())
                .containsExactly(io.whatsappoutbox.core.ConsentPurpose.TRANSACTIONAL,
                        io.whatsappoutbox.core.ConsentPurpose.MARKETING);
        assertThat(sql.one("SELECT consent_purpose FROM outbound_message WHERE id = ?", results.get(1).message().id()))
                .isEqualTo("MARKETING");
    }

    @Test
    void theWrongNumberOfBodyParametersIsRefused() {
        syncStandard();
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("appointment_reminder", "fr").body("a", "b"))))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.parameters")).isTrue());
        assertThat(messages()).isZero();
    }

    @Test
    void wrongNamesOfNamedParametersAreRefused() {
        syncStandard();
        Template wrong = new Template("order_shipped", "en_US", List.of(Template.Parameter.named("first_name", "Marc"),
                Template.Parameter.named("when", "Monday")), Template.Header.namedText("order_id", "A12"), List.of(), null);
        assertThatThrownBy(() -> outbox.enqueue(send(1, wrong)))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.parameters")).isTrue());
    }

    @Test
    void aMissingHeaderParameterIsRefused() {
        syncStandard();
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("new_listing_alert", "fr").body("Lyon", "1 EUR")
                .urlButton(0, "x")))).isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.header")).isTrue());
    }

    @Test
    void anExtraOrWrongFormatHeaderIsRefused() {
        syncStandard();
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("appointment_reminder", "fr").body("lundi")
                .headerText("Rappel")))).isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.header")).isTrue());
        assertThatThrownBy(() -> outbox.enqueue(send(2, Template.named("new_listing_alert", "fr")
                .headerVideo(URI.create("https://example.com/a.mp4")).body("Lyon", "1 EUR").urlButton(0, "x"))))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.header")).isTrue());
    }

    @Test
    void aMissingParameterOfAButtonThatTakesOneIsRefused() {
        syncStandard();
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("new_listing_alert", "fr")
                .headerImage(URI.create("https://example.com/a.jpg")).body("Lyon", "1 EUR"))))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns("content.template.buttons[0]")).isTrue();
                    assertThat(e.concerns("content.template.buttons[1]")).as("a quick reply takes nothing").isFalse();
                });
    }

    @Test
    void rawComponentsAreCheckedForExistenceAndStatusOnly() {
        syncStandard();
        String components = "[{\"type\":\"body\",\"parameters\":[]}]";
        outbox.enqueue(send(1, Template.named("new_listing_alert", "fr").components(components)));
        assertThat(messages()).isEqualTo(1);
        assertThatThrownBy(() -> outbox.enqueue(send(2, Template.named("old_promo", "fr").components(components))))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("content.template.name")).isTrue());
    }

    @Test
    void lenientModeEnqueuesWhatStrictRefuses() {
        syncStandard();
        JdbcOutbox lenient = build(TemplateCheck.LENIENT);
        lenient.enqueueAll(List.of(send(1, Template.named("no_such_template", "fr")),
                send(2, Template.named("appointment_reminder", "fr").body("a", "b"))));
        assertThat(messages()).isEqualTo(2);
        JdbcOutbox off = build(TemplateCheck.OFF);
        off.enqueue(send(3, Template.named("old_promo", "fr")));
        assertThat(messages()).isEqualTo(3);
    }

    /** The host's connection, counting the statements the enqueue prepares on it. */
    static java.sql.Connection counting(java.sql.Connection target, AtomicInteger prepared) {
        return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(TemplateRegistryTest.class.getClassLoader(),
                new Class<?>[] {java.sql.Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement")) {
                        prepared.incrementAndGet();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void theCheckIsOneQueryPerBatchWithTemplatesAndNoneWithout() throws Exception {
        syncStandard();
        AtomicInteger prepared = new AtomicInteger();
        try (java.sql.Connection c = ds.getConnection()) {
            java.sql.Connection host = counting(c, prepared);
            List<OutboundMessageRequest> templates = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                templates.add(send(i, Template.named("appointment_reminder", "fr").body("lundi " + i)));
            }
            outbox.enqueueAll(host, templates);
            assertThat(prepared.get()).as("the check and the insert").isEqualTo(2);
            prepared.set(0);
            outbox.enqueueAll(host, List.of(Requests.text(ORG, 100, "Bonjour"), Requests.text(ORG, 101, "Bonsoir")));
            assertThat(prepared.get()).as("the insert only").isEqualTo(1);
        }
        assertThat(messages()).isEqualTo(52);
    }

    static final WebhookDecisions NO_DECISIONS = new WebhookDecisions() {
        @Override
        public FailedReceiptAction onFailedReceipt(io.whatsappoutbox.core.OutboundMessage m,
                io.whatsappoutbox.core.webhook.DeliveryReceipt r, String provider, Instant now) {
            throw new AssertionError("no receipts here");
        }

        @Override
        public boolean isOptOut(io.whatsappoutbox.core.webhook.InboundMessage m) {
            return false;
        }
    };

    static WebhookBatch events(LifecycleEvent... events) {
        return new WebhookBatch("meta", List.of(), List.of(), List.of(events));
    }

    @Test
    void aStatusWebhookUpdatesTheRegistryOnceAndADuplicateIsIgnored() {
        syncStandard();
        LifecycleEvent paused = new LifecycleEvent.TemplateStatusChanged(WABA, "1001", "appointment_reminder", "fr",
                "PAUSED", Status.PAUSED, "NONE", "FIRST_PAUSE", T0.plusSeconds(60));
        WebhookResult first = outbox.webhookStore().apply(events(paused), NO_DECISIONS, T0.plusSeconds(61)).result();
        assertThat(first.applied()).isEqualTo(1);
        assertThat(outbox.templates().find(ORG, "appointment_reminder", "fr").orElseThrow().status())
                .isEqualTo(Status.PAUSED);
        // the sync brings it back to approved; a retried webhook must not pause it again
        outbox.templates().sync(ORG, new TwoPages(List.of(REMINDER), List.of()));
        WebhookResult again = outbox.webhookStore().apply(events(paused), NO_DECISIONS, T0.plusSeconds(90)).result();
        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(outbox.templates().find(ORG, "appointment_reminder", "fr").orElseThrow().status())
                .isEqualTo(Status.APPROVED);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit WHERE action = 'TEMPLATE_LIFECYCLE'")).isEqualTo(1);
        assertThatThrownBy(() -> outbox.enqueue(send(9, Template.named("old_promo", "fr"))))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void categoryAndQualityWebhooksUpdateTheRowAndTheEnqueueSeesIt() {
        syncStandard();
        outbox.webhookStore().apply(events(
                new LifecycleEvent.TemplateCategoryChanged(WABA, "1001", "appointment_reminder", "fr", Category.UTILITY,
                        Category.MARKETING, T0.plusSeconds(10)),
                new LifecycleEvent.TemplateQualityChanged(WABA, "1001", "appointment_reminder", "fr", "GREEN", "YELLOW",
                        T0.plusSeconds(11)),
                new LifecycleEvent.TemplateStatusChanged(WABA, "1002", "new_listing_alert", "fr", "DISABLED",
                        Status.DISABLED, "SCAM", null, T0.plusSeconds(12))), NO_DECISIONS, T0.plusSeconds(20));
        TemplateDefinition reminder = outbox.templates().find(ORG, "appointment_reminder", "fr").orElseThrow();
        assertThat(reminder.category()).isEqualTo(Category.MARKETING);
        assertThat(reminder.quality()).isEqualTo("YELLOW");
        assertThat(reminder.updatedAt()).isEqualTo(T0.plusSeconds(20));
        TemplateDefinition listing = outbox.templates().find(ORG, "new_listing_alert", "fr").orElseThrow();
        assertThat(listing.status()).isEqualTo(Status.DISABLED);
        assertThat(listing.reason()).isEqualTo("SCAM");
        assertThatThrownBy(() -> outbox.enqueue(send(1, Template.named("new_listing_alert", "fr")
                .headerImage(URI.create("https://example.com/a.jpg")).body("Lyon", "1 EUR").urlButton(0, "x"))))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.getMessage()).contains("DISABLED"));
    }

    @Test
    void anEventForATemplateNotInTheRegistryInsertsNothingButIsAudited() {
        syncStandard();
        outbox.webhookStore().apply(events(new LifecycleEvent.TemplateStatusChanged(WABA, "2001", "brand_new", "en_US",
                "APPROVED", Status.APPROVED, null, null, T0.plusSeconds(5))), NO_DECISIONS, T0.plusSeconds(6));
        assertThat(outbox.templates().find(ORG, "brand_new", "en_US")).isEmpty();
        List<Map<String, Object>> audit = sql.rows(
                "SELECT org_scope, affected_count, details_json::text AS details FROM outbox_audit"
                        + " WHERE action = 'TEMPLATE_LIFECYCLE'");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("org_scope")).isEqualTo(ORG);
        assertThat(audit.get(0).get("affected_count")).isEqualTo(0);
        assertThat((String) audit.get(0).get("details")).contains("brand_new").contains("\"inRegistry\": false");
    }

    @Test
    void anotherAccountsEventLeavesTheOrgAlone() {
        syncStandard();
        outbox.webhookStore().apply(events(new LifecycleEvent.TemplateStatusChanged("999", "1001", "appointment_reminder",
                "fr", "PAUSED", Status.PAUSED, "NONE", null, T0.plusSeconds(5))), NO_DECISIONS, T0.plusSeconds(6));
        assertThat(outbox.templates().find(ORG, "appointment_reminder", "fr").orElseThrow().status())
                .isEqualTo(Status.APPROVED);
    }
}
