package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.testing.Contents;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Content of every type survives the store exactly: built, enqueued, claimed by the dispatcher's
 * own claim, decoded, equal; and enqueued again under its key, it is the same message (no 409).
 */
class ContentStoreProperties {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final AtomicInteger KEYS = new AtomicInteger();
    static HikariDataSource ds;
    static JdbcOutbox outbox;

    @BeforeContainer
    static void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).clock(java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)).build();
    }

    @AfterContainer
    static void stop() {
        ds.close();
    }

    @Property(tries = 60)
    void everyTypeIsClaimedAsItWasBuilt(@ForAll("batches") List<MessageContent> contents) {
        List<OutboundMessageRequest> requests = new ArrayList<>();
        for (MessageContent c : contents) {
            int n = KEYS.incrementAndGet();
            requests.add(OutboundMessageRequest.whatsapp("org-1", Requests.phone(n)).content(c)
                    .idempotencyKey("prop-" + n).build());
        }
        List<EnqueueResult> created = outbox.enqueueAll(requests);
        List<ClaimedMessage> claimed = outbox.dispatchStore().claim("prop:1", 100, Duration.ofHours(1), NOW);
        Map<Long, MessageContent> byId = claimed.stream()
                .collect(Collectors.toMap(c -> c.message().id(), c -> c.message().content()));
        for (int i = 0; i < requests.size(); i++) {
            assertThat(byId.get(created.get(i).message().id())).isEqualTo(requests.get(i).content());
            assertThat(outbox.find("org-1", created.get(i).message().id()).orElseThrow().content())
                    .isEqualTo(requests.get(i).content());
        }
        assertThat(outbox.enqueueAll(requests)).noneMatch(EnqueueResult::created);
        Sql sql = new Sql(ds);
        for (int i = 0; i < requests.size(); i++) {
            MessageContent c = requests.get(i).content();
            assertThat(sql.one("SELECT content_type FROM outbound_message WHERE id = ?", created.get(i).message().id()))
                    .isEqualTo(c.type().name());
            assertThat(sql.one("SELECT template_code FROM outbound_message WHERE id = ?", created.get(i).message().id()))
                    .isEqualTo(c.templateName().orElse(null));
        }
    }

    @Provide
    Arbitrary<List<MessageContent>> batches() {
        return Contents.any().list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 1)
    void aRowStoredBeforeV3IsReadExactlyAndItsKeyIsNoConflict() {
        // as V1's encoder wrote them, and the fingerprint it stored with them (computed before V3)
        Sql sql = new Sql(ds);
        String text = "{\"body\":\"Bonjour\",\"previewUrl\":false}";
        String template = "{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[{\"text\":\"lundi 10h\"},"
                + "{\"text\":\"12 rue X\"}]}";
        OutboundMessageRequest textRequest = OutboundMessageRequest.whatsapp("org-old", "+33612345678")
                .text("Bonjour").idempotencyKey("old-text").build();
        OutboundMessageRequest templateRequest = OutboundMessageRequest.whatsapp("org-old", "+33612345678")
                .dossierId("D-1").template("appointment_reminder", "fr", "lundi 10h", "12 rue X")
                .idempotencyKey("old-template").build();
        long textId = old(sql, "old-text", "TEXT", null, text, null, "not read by this test");
        long templateId = old(sql, "old-template", "TEMPLATE", "appointment_reminder", template, "D-1",
                "a7d004bab05aa65e86f8a5d8f0dc2ca25daadbdb4fb7e9a8fe65e62fa675746f");
        assertThat(outbox.find("org-old", textId).orElseThrow().content()).isEqualTo(textRequest.content());
        assertThat(outbox.find("org-old", templateId).orElseThrow().content()).isEqualTo(templateRequest.content());
        // the template row carries the digest the pre-V3 outbox computed: enqueued again, it is a duplicate
        EnqueueResult again = outbox.enqueue(templateRequest);
        assertThat(again.created()).isFalse();
        assertThat(again.message().id()).isEqualTo(templateId);
    }

    @Property(tries = 1)
    void refusesMalformedMetaComponentsAtEnqueueWritingNothing() {
        Sql sql = new Sql(ds);
        long before = sql.count("SELECT count(*) FROM outbound_message");
        OutboundMessageRequest good = OutboundMessageRequest.whatsapp("org-2", "+33612345601")
                .content(MessageContent.text("a")).idempotencyKey("bad-batch-1").build();
        OutboundMessageRequest bad = OutboundMessageRequest.whatsapp("org-2", "+33612345602")
                .content(Template.named("carousel", "fr").components("[{\"type\":\"carousell\"}]"))
                .idempotencyKey("bad-batch-2").build();
        assertThatThrownBy(() -> outbox.enqueueAll(List.of(good, bad)))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.concerns("template.components[0].type")).isTrue());
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(before);
    }

    @Property(tries = 1)
    void theTableAcceptsEveryContentTypeAndNoOther() {
        Sql sql = new Sql(ds);
        for (ContentType t : ContentType.values()) {
            assertThat(sql.one("SELECT ?::text = ANY (ARRAY['TEXT', 'TEMPLATE', 'IMAGE', 'DOCUMENT', 'INTERACTIVE_BUTTONS',"
                    + " 'VIDEO', 'AUDIO', 'STICKER', 'LOCATION', 'CONTACTS', 'REACTION', 'INTERACTIVE_LIST',"
                    + " 'INTERACTIVE_CTA_URL'])", t.name())).isEqualTo(true);
        }
        assertThatThrownBy(() -> old(sql, "bad-type", "POLL", null, "{}", null, "x"))
                .hasMessageContaining("outbound_message_content_type_known");
    }

    private static long old(Sql sql, String key, String type, String template, String payload, String dossier,
            String hash) {
        return ((Number) sql.one("""
                INSERT INTO outbound_message (org_id, dossier_id, channel, to_recipient, template_code, content_type,
                    payload_json, content_hash, status, idempotency_key, max_attempts, next_attempt_at, created_at,
                    updated_at)
                VALUES ('org-old', ?, 'WHATSAPP', '+33612345678', ?, ?, ?::jsonb, ?, 'QUEUED', ?, 5, now(), now(), now())
                RETURNING id""", dossier, template, type, payload, hash, key)).longValue();
    }
}
