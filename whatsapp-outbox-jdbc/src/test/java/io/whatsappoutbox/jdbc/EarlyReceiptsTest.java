package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Results;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A receipt that beat its send's result is applied in the transaction that writes the result, or
 * stays in {@code pending_receipt} until one commits: a failure between any two statements loses none.
 */
class EarlyReceiptsTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(60);
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).clock(new MutableClock(T0)).build();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** Claims one message and has a receipt for it arrive before its result: kept waiting. */
    ClaimedMessage claimedWithReceiptWaiting(DeliveryStatus status) {
        outbox.enqueue(Requests.template("org-1", 1));
        ClaimedMessage c = outbox.dispatchStore().claim("a:1", 10, Duration.ofMinutes(5), T0).get(0);
        DeliveryReceipt r = new DeliveryReceipt(Channel.WHATSAPP, Results.sent(c, T0).providerMessageId(), status,
                T0.plusSeconds(1), status == DeliveryStatus.FAILED ? ProviderError.of("131026", 0, "undeliverable") : null,
                "org-1");
        assertThat(outbox.webhookStore().apply(new WebhookBatch("meta", List.of(r), List.of()), Results.DECISIONS, T0)
                .result().pending()).isEqualTo(1);
        return c;
    }

    Object status() {
        return sql.one("SELECT status FROM outbound_message WHERE fallback_of IS NULL");
    }

    /** Raises a retryable error (serialization failure) the first time it fires, never again. */
    void failOnceOn(String trigger) {
        sql.update("CREATE SEQUENCE fail_once");
        sql.update("""
                CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF nextval('fail_once') = 1 THEN
                        RAISE EXCEPTION 'failing once' USING ERRCODE = '40001';
                    END IF;
                    RETURN coalesce(NEW, OLD);
                END $$""");
        sql.update(trigger);
    }

    @Test
    void aReceiptWaitingWhenTheResultIsWrittenIsAppliedInThatTransaction() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);
        CompletionReport report = outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), Results.DECISIONS, T0);
        assertThat(report.written()).isEqualTo(1);
        assertThat(report.receiptsApplied()).isEqualTo(1);
        assertThat(report.deliveries()).hasSize(1);
        assertThat(status()).isEqualTo("DELIVERED");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
    }

    @Test
    void aWaitingReceiptsPricingLandsOnTheAttemptItsResultWrites() {
        outbox.enqueue(Requests.template("org-1", 1));
        ClaimedMessage c = outbox.dispatchStore().claim("a:1", 10, Duration.ofMinutes(5), T0).get(0);
        DeliveryReceipt r = new DeliveryReceipt(Channel.WHATSAPP, Results.sent(c, T0).providerMessageId(),
                DeliveryStatus.SENT, T0.plusSeconds(1), null, "org-1", new DeliveryReceipt.Pricing(true, "PMP",
                        "marketing", "regular", "conv-1", "marketing", null));
        outbox.webhookStore().apply(new WebhookBatch("meta", List.of(r), List.of()), Results.DECISIONS, T0);
        assertThat(sql.one("SELECT pricing_category FROM pending_receipt")).isEqualTo("marketing");

        outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), Results.DECISIONS, T0);

        assertThat(sql.one("SELECT pricing_category || '/' || pricing_model || '/' || billable || '/' || conversation_id"
                + " || '/' || conversation_origin FROM outbound_attempt WHERE message_id = ?", c.message().id()))
                .isEqualTo("marketing/PMP/true/conv-1/marketing");
    }

    @Test
    void aReceiptWaitingForOneResultOfAMixedBatchIsAppliedWithIt() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);
        outbox.enqueue(Requests.template("org-1", 2));
        ClaimedMessage other = outbox.dispatchStore().claim("a:1", 10, Duration.ofMinutes(5), T0).get(0);
        CompletionReport report = outbox.dispatchStore().complete(List.of(Results.sent(c, T0),
                Results.retry(other, T0, T0.plusSeconds(30))), Results.DECISIONS, T0);
        assertThat(report.written()).isEqualTo(2);
        assertThat(report.receiptsApplied()).isEqualTo(1);
        assertThat(sql.one("SELECT status FROM outbound_message WHERE id = ?", c.message().id())).isEqualTo("DELIVERED");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
    }

    @Test
    void aReceiptOfTheOtherChannelWithTheSameProviderIdStaysWaiting() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);
        sql.update("UPDATE pending_receipt SET channel = 'SMS'");
        Instant later = T0.plusSeconds(30);
        CompletionReport report = outbox.dispatchStore().complete(List.of(Results.sent(c, later)), Results.DECISIONS,
                later);
        assertThat(report.receiptsApplied()).isZero();
        assertThat(status()).isEqualTo("SENT");
        // not taken out and kept again: the row is the one the webhook wrote
        assertThat(sql.rows("SELECT channel, received_at FROM pending_receipt")).singleElement()
                .satisfies(r -> assertThat(r.get("channel")).isEqualTo("SMS"))
                .satisfies(r -> assertThat(r.get("received_at")).isEqualTo(T0));
    }

    @Test
    void anApplyThatFailsRollsBackTheWholeCompletionAndTheRetryAppliesTheReceipt() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.FAILED);
        WebhookDecisions throwing = new WebhookDecisions() {
            @Override
            public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
                throw new IllegalStateException("decision failed");
            }

            @Override
            public boolean isOptOut(InboundMessage m) {
                return false;
            }
        };
        assertThatThrownBy(() -> outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), throwing, T0))
                .hasMessageContaining("decision failed");
        // nothing of the completion committed: the message is still being sent, the receipt waits
        assertThat(status()).isEqualTo("SENDING");
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt")).isZero();
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isEqualTo(1);

        CompletionReport retry = outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), Results.DECISIONS, T0);
        assertThat(retry.receiptsApplied()).isEqualTo(1);
        assertThat(status()).isEqualTo("FAILED");
        assertThat(sql.one("SELECT error_code FROM outbound_message WHERE fallback_of IS NULL")).isEqualTo("131026");
        assertThat(sql.rows("SELECT outcome FROM outbound_attempt ORDER BY id")).extracting(r -> r.get("outcome"))
                .containsExactly("SENT", "DEAD_LETTER");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
    }

    @Test
    void aCommitThatFailsLeavesTheMessageUnsentAndTheReceiptWaiting() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);
        // checked at the commit of the receipt's move: had the SENT row or the receipt's removal
        // from pending_receipt committed before it, they would stay
        failOnceOn("""
                CREATE CONSTRAINT TRIGGER fail_commit AFTER UPDATE ON outbound_message
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'DELIVERED')
                EXECUTE FUNCTION fail_once()""");
        assertThatThrownBy(() -> outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), Results.DECISIONS, T0))
                .isNotNull();
        assertThat(status()).isEqualTo("SENDING");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt")).isZero();

        assertThat(outbox.dispatchStore().complete(List.of(Results.sent(c, T0)), Results.DECISIONS, T0)
                .receiptsApplied()).isEqualTo(1);
        assertThat(status()).isEqualTo("DELIVERED");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
    }

    @Test
    void withoutAWebhookStoreTheDispatcherStillAppliesTheReceiptAndRetriesAFailedApply() throws InterruptedException {
        JdbcOutbox live = JdbcOutbox.builder().dataSource(ds).build();
        live.consents().grant("org-1", PhoneNumber.of(Requests.phone(1)), Channel.WHATSAPP, "test", "test");
        long id = live.enqueue(Requests.template("org-1", 1)).message().id();
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        ScriptedProvider meta = ScriptedProvider.whatsapp().otherwise(m -> {
            calling.countDown();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return SendResult.accepted("wamid.early");
        });
        // the receipt's move fails once: the first write of the result rolls back with it, the
        // writer retries, and the receipt, still waiting, is applied by the retry
        failOnceOn("""
                CREATE TRIGGER fail_apply BEFORE UPDATE ON outbound_message
                FOR EACH ROW WHEN (NEW.status = 'DELIVERED') EXECUTE FUNCTION fail_once()""");
        // no webhookStore(...): the receipts come in on another instance's webhook endpoint
        try (Dispatcher d = live.dispatcher().provider(Channel.WHATSAPP, meta).pollInterval(Duration.ofMillis(20))
                .build()) {
            d.start();
            assertThat(calling.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(live.webhookStore().apply(new WebhookBatch("meta", List.of(new DeliveryReceipt(Channel.WHATSAPP,
                    "wamid.early", DeliveryStatus.DELIVERED, Instant.now(), null, "org-1")), List.of()),
                    Results.DECISIONS, Instant.now()).result().pending()).isEqualTo(1);
            answer.countDown();
            Eventually.await("delivered", WAIT, () -> "DELIVERED".equals(sql.one(
                    "SELECT status FROM outbound_message WHERE id = ?", id)));
        }
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
        assertThat(sql.one("SELECT last_value FROM fail_once")).isEqualTo(2L);
    }

    @Test
    void aReceiptLeftWaitingBesideItsCommittedResultIsAppliedByMaintenance() {
        ClaimedMessage c = claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);
        // what a race leaves: the result committed by a transaction that could not see the receipt
        sql.update("UPDATE outbound_message SET status = 'SENT', provider_message_id = ?, sent_at = now()"
                + " WHERE id = ?", Results.sent(c, T0).providerMessageId(), c.message().id());
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isEqualTo(1);

        Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build();
        try {
            d.runMaintenance();
        } finally {
            d.close();
        }

        assertThat(status()).isEqualTo("DELIVERED");
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isZero();
        assertThat(outbox.webhookStore().applyWaitingReceipts(Results.DECISIONS, T0).result().applied()).isZero();
    }

    @Test
    void aReceiptStillWaitingForItsSendIsLeftWaiting() {
        claimedWithReceiptWaiting(DeliveryStatus.DELIVERED);

        assertThat(outbox.webhookStore().applyWaitingReceipts(Results.DECISIONS, T0).result().applied()).isZero();
        assertThat(sql.count("SELECT count(*) FROM pending_receipt")).isEqualTo(1);
        assertThat(status()).isEqualTo("SENDING");
    }
}
