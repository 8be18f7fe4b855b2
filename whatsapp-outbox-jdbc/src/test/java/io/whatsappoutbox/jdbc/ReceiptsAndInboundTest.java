package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Results;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReceiptsAndInboundTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    HikariDataSource ds;
    JdbcOutbox outbox;
    WebhookStore webhooks;
    Sql sql;

    /** Decisions as the core makes them, reduced to what these store tests need. */
    final WebhookDecisions decisions = new WebhookDecisions() {
        @Override
        public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
            ErrorInfo e = new ErrorInfo(r.error().code(), r.error().message(),
                    r.error().code().equals("131000") ? ErrorCategory.TEMPORARY : ErrorCategory.UNDELIVERABLE);
            if (e.category() == ErrorCategory.TEMPORARY) {
                return FailedReceiptAction.retryAt(e, now.plusSeconds(30));
            }
            OutboundMessageRequest sms = OutboundMessageRequest.sms(m.orgId(), m.to().value()).text("fallback")
                    .idempotencyKey(m.idempotencyKey() + ":fallback:sms").fallbackOf(m.id()).build();
            return FailedReceiptAction.deadLetter(e, false, sms);
        }

        @Override
        public boolean isOptOut(InboundMessage m) {
            return m.text() != null && List.of("STOP", "ARRET").contains(m.text().trim().toUpperCase(Locale.ROOT));
        }
    };

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).clock(new MutableClock(T0)).build();
        webhooks = outbox.webhookStore();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** Enqueues and sends {@code n} messages, returning their provider ids. */
    List<String> sent(int n) {
        outbox.enqueueAll(IntStream.range(0, n).mapToObj(i -> Requests.template("org-1", i)).toList());
        List<ClaimedMessage> claimed = outbox.dispatchStore().claim("a:1", n, Duration.ofMinutes(5), T0);
        outbox.dispatchStore().complete(claimed.stream().map(c -> Results.sent(c, T0)).toList(), decisions, T0);
        return sql.rows("SELECT provider_message_id FROM outbound_message ORDER BY id").stream()
                .map(r -> (String) r.get("provider_message_id")).toList();
    }

    static DeliveryReceipt receipt(String pid, DeliveryStatus s, int second) {
        return new DeliveryReceipt(Channel.WHATSAPP, pid, s, T0.plusSeconds(second),
                s == DeliveryStatus.FAILED ? ProviderError.of("131026", 0, "Message undeliverable") : null);
    }

    @Test
    void receiptsInShuffledAndDuplicatedOrderEndInTheRightStatus() {
        List<String> pids = sent(300);
        Map<String, String> expected = new HashMap<>();
        List<DeliveryReceipt> all = new ArrayList<>();
        Random random = new Random(42);
        for (String pid : pids) {
            int kind = random.nextInt(3);
            all.add(receipt(pid, DeliveryStatus.SENT, 1));
            if (kind >= 1) {
                all.add(receipt(pid, DeliveryStatus.DELIVERED, 2));
            }
            if (kind == 2) {
                all.add(receipt(pid, DeliveryStatus.READ, 3));
            }
            expected.put(pid, kind == 0 ? "SENT" : kind == 1 ? "DELIVERED" : "READ");
        }
        List<DeliveryReceipt> delivered = new ArrayList<>(all);
        delivered.addAll(all.subList(0, all.size() / 2)); // the provider delivers some twice
        Collections.shuffle(delivered, random);
        for (int i = 0; i < delivered.size(); i += 37) {
            webhooks.apply(new WebhookBatch("meta", delivered.subList(i, Math.min(i + 37, delivered.size())), List.of()),
                    decisions, T0.plusSeconds(10));
        }
        for (Map<String, Object> r : sql.rows("SELECT provider_message_id, status FROM outbound_message")) {
            assertThat(r.get("status")).as((String) r.get("provider_message_id"))
                    .isEqualTo(expected.get((String) r.get("provider_message_id")));
        }
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'READ' AND read_at IS NULL")).isZero();
    }

    @Test
    void aReadReceiptBeforeTheDeliveryReceiptStillRecordsWhenTheMessageWasDelivered() {
        List<String> pids = sent(2);
        // read before its delivery receipt, in two webhooks: the late receipt gives the delivery time
        webhooks.apply(new WebhookBatch("meta", List.of(receipt(pids.get(0), DeliveryStatus.READ, 5)), List.of()),
                decisions, T0.plusSeconds(10));
        webhooks.apply(new WebhookBatch("meta", List.of(receipt(pids.get(0), DeliveryStatus.DELIVERED, 2)), List.of()),
                decisions, T0.plusSeconds(11));
        // read and never a delivery receipt: delivered by the time it was read
        webhooks.apply(new WebhookBatch("meta", List.of(receipt(pids.get(1), DeliveryStatus.READ, 7)), List.of()),
                decisions, T0.plusSeconds(10));
        assertThat(sql.rows("SELECT status, delivered_at, read_at FROM outbound_message ORDER BY id")).containsExactly(
                Map.of("status", "READ", "delivered_at", T0.plusSeconds(2), "read_at", T0.plusSeconds(5)),
                Map.of("status", "READ", "delivered_at", T0.plusSeconds(7), "read_at", T0.plusSeconds(7)));
    }

    @Test
    void theSameWebhookTwiceChangesNothingTheSecondTime() {
        List<String> pids = sent(1);
        WebhookBatch batch = new WebhookBatch("meta", List.of(receipt(pids.get(0), DeliveryStatus.DELIVERED, 2)), List.of());
        WebhookStore.Applied first = webhooks.apply(batch, decisions, T0);
        WebhookStore.Applied second = webhooks.apply(batch, decisions, T0);
        assertThat(first.result().applied()).isEqualTo(1);
        assertThat(first.deliveries()).hasSize(1);
        assertThat(second.result().applied()).isZero();
        assertThat(second.result().duplicates()).isEqualTo(1);
        assertThat(second.deliveries()).isEmpty();
    }

    @Test
    void aReceiptRoutedToOneOrgNeverTouchesAnotherOrgsMessage() {
        List<String> pids = sent(1);
        DeliveryReceipt forged = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.FAILED, T0,
                ProviderError.of("131026", 0, "Message undeliverable"), "org-2");
        WebhookStore.Applied applied = webhooks.apply(new WebhookBatch("meta", List.of(forged), List.of()), decisions, T0);
        assertThat(applied.result().ignored()).isEqualTo(1);
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
        DeliveryReceipt own = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.DELIVERED, T0, null, "org-1");
        assertThat(webhooks.apply(new WebhookBatch("meta", List.of(own), List.of()), decisions, T0).result().applied())
                .isEqualTo(1);
    }

    @Test
    void aReceiptIgnoredForAnotherOrgLeavesItsKeyToTheRealOne() {
        List<String> pids = sent(1);
        DeliveryReceipt forged = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.DELIVERED, T0, null,
                "org-2");
        assertThat(webhooks.apply(new WebhookBatch("meta", List.of(forged), List.of()), decisions, T0).result().ignored())
                .isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM webhook_event")).isZero();
        DeliveryReceipt own = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.DELIVERED, T0, null, "org-1");
        WebhookStore.Applied applied = webhooks.apply(new WebhookBatch("meta", List.of(own), List.of()), decisions, T0);
        assertThat(applied.result().applied()).isEqualTo(1);
        assertThat(applied.result().duplicates()).isZero();
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("DELIVERED");
    }

    @Test
    void aReceiptOfOneChannelNeverMovesAMessageOfTheOther() {
        List<String> pids = sent(1);
        DeliveryReceipt sms = new DeliveryReceipt(Channel.SMS, pids.get(0), DeliveryStatus.DELIVERED, T0, null);
        WebhookStore.Applied applied = webhooks.apply(new WebhookBatch("twilio", List.of(sms), List.of()), decisions, T0);
        assertThat(applied.result().applied()).isZero();
        assertThat(applied.result().pending()).isEqualTo(1);
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
        DeliveryReceipt whatsapp = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.DELIVERED, T0, null);
        assertThat(webhooks.apply(new WebhookBatch("meta", List.of(whatsapp), List.of()), decisions, T0).result().applied())
                .isEqualTo(1);
    }

    @Test
    void aReceiptThatBeatsTheSendResultIsAppliedWhenTheResultIsWritten() {
        outbox.enqueue(Requests.template("org-1", 1));
        ClaimedMessage c = outbox.dispatchStore().claim("a:1", 10, Duration.ofMinutes(5), T0).get(0);
        String pid = "wamid." + c.message().id() + ".a:1";
        WebhookStore.Applied early = webhooks.apply(new WebhookBatch("meta",
                List.of(receipt(pid, DeliveryStatus.DELIVERED, 1)), List.of()), decisions, T0);
        assertThat(early.result().pending()).isEqualTo(1);
        CompletionReport report = outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), decisions, T0);
        // applied by the completion itself, in its transaction: no webhook call after it
        assertThat(report.receiptsApplied()).isEqualTo(1);
        assertThat(report.deliveries()).extracting(WebhookStore.Delivery::messageId).containsExactly(c.message().id());
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("DELIVERED");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
        // recorded as seen now: the provider's redelivery of it is a duplicate
        assertThat(webhooks.apply(new WebhookBatch("meta", List.of(receipt(pid, DeliveryStatus.DELIVERED, 1)), List.of()),
                decisions, T0).result().duplicates()).isEqualTo(1);
    }

    @Test
    void aFailedReceiptRetriesOrDeadLettersWithAFallbackCreatedOnce() {
        List<String> pids = sent(2);
        DeliveryReceipt temporary = new DeliveryReceipt(Channel.WHATSAPP, pids.get(0), DeliveryStatus.FAILED, T0,
                ProviderError.of("131000", 0, "Something went wrong"));
        DeliveryReceipt undeliverable = receipt(pids.get(1), DeliveryStatus.FAILED, 1);
        WebhookStore.Applied applied = webhooks.apply(new WebhookBatch("meta", List.of(temporary, undeliverable), List.of()),
                decisions, T0.plusSeconds(5));
        assertThat(applied.fallbacksCreated()).hasSize(1);
        List<Map<String, Object>> rows = sql.rows("SELECT status, error_code, channel, fallback_of FROM outbound_message ORDER BY id");
        assertThat(rows.get(0)).containsEntry("status", "QUEUED").containsEntry("error_code", "131000");
        assertThat(rows.get(1)).containsEntry("status", "FAILED").containsEntry("error_code", "131026");
        assertThat(rows.get(2)).containsEntry("channel", "SMS").containsEntry("status", "QUEUED");
        // the same trigger again, under a new event key, does not create a second fallback
        DeliveryReceipt again = new DeliveryReceipt(Channel.WHATSAPP, pids.get(1), DeliveryStatus.FAILED, T0.plusSeconds(9),
                ProviderError.of("131026", 0, "again"));
        sql.update("DELETE FROM webhook_event");
        webhooks.apply(new WebhookBatch("meta", List.of(again), List.of()), decisions, T0.plusSeconds(10));
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE channel = 'SMS'")).isEqualTo(1);
        assertThat(sql.rows("SELECT outcome, provider FROM outbound_attempt WHERE provider LIKE '%receipt' ORDER BY id"))
                .extracting(r -> r.get("outcome") + "/" + r.get("provider"))
                .containsExactly("RETRY/test:receipt", "DEAD_LETTER/test:receipt");
    }

    @Test
    void inboundMessagesAreStoredOpenTheWindowAndStopRevokesConsent() {
        PhoneNumber customer = PhoneNumber.of("+33611111111");
        outbox.consents().grant("org-1", customer, Channel.WHATSAPP, "web form", "test");
        InboundMessage hello = new InboundMessage("org-1", Channel.WHATSAPP, customer, "wamid.in.1", "text", "Bonjour",
                null, null, T0.minusSeconds(60));
        InboundMessage stop = new InboundMessage("org-1", Channel.WHATSAPP, customer, "wamid.in.2", "text", " stop ",
                null, null, T0);
        webhooks.apply(new WebhookBatch("meta", List.of(), List.of(stop, hello)), decisions, T0);
        webhooks.apply(new WebhookBatch("meta", List.of(), List.of(hello)), decisions, T0);
        assertThat(sql.count("SELECT count(*) FROM message WHERE direction = 'INBOUND' AND channel = 'WHATSAPP'")).isEqualTo(2);
        assertThat(sql.one("SELECT window_expires_at FROM whatsapp_session_window"))
                .isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        assertThat(outbox.consents().status("org-1", customer, Channel.WHATSAPP)).isEqualTo(ConsentStatus.REVOKED);
        // an older message arriving late never shortens the window
        InboundMessage older = new InboundMessage("org-1", Channel.WHATSAPP, customer, "wamid.in.0", "text", "x", null,
                null, T0.minusSeconds(3600));
        webhooks.apply(new WebhookBatch("meta", List.of(), List.of(older)), decisions, T0);
        assertThat(sql.one("SELECT window_expires_at FROM whatsapp_session_window"))
                .isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
    }

    @Test
    void aFailedBatchAppliesNothing() {
        List<String> pids = sent(1);
        WebhookDecisions exploding = new WebhookDecisions() {
            @Override
            public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
                throw new IllegalStateException("boom");
            }

            @Override
            public boolean isOptOut(InboundMessage m) {
                return false;
            }
        };
        InboundMessage hello = new InboundMessage("org-1", Channel.WHATSAPP, PhoneNumber.of("+33611111111"), "wamid.in.9",
                "text", "hi", null, null, T0);
        WebhookBatch batch = new WebhookBatch("meta", List.of(receipt(pids.get(0), DeliveryStatus.DELIVERED, 1),
                receipt(pids.get(0), DeliveryStatus.FAILED, 2)), List.of(hello));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.apply(batch, exploding, T0)).hasMessageContaining("boom");
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
        assertThat(sql.count("SELECT count(*) FROM message")).isZero();
        assertThat(sql.count("SELECT count(*) FROM webhook_event")).isZero();
    }
}
