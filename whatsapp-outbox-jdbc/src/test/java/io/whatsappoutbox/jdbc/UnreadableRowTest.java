package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.FailureQuery;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.ops.QueueStatusQuery;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rows this version cannot read (a newer version's, the runbook's SQL) cost only themselves. */
class UnreadableRowTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ScriptedProvider meta;
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
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

    long enqueue(String org, int n) {
        outbox.consents().grant(org, PhoneNumber.of(Requests.phone(n)), Channel.WHATSAPP, "test", "test");
        return outbox.enqueue(Requests.template(org, n)).message().id();
    }

    void dispatch() {
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms())
                // one claim thread: its one claim covers every lane, as with the default on a small pool
                .storeThreads(1).pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(10)).build();
        dispatcher.start();
    }

    String status(long id) {
        return (String) sql.one("SELECT status FROM outbound_message WHERE id = ?", id);
    }

    @Test
    void aRowThatCannotBeReadIsDeadLetteredAndEveryOtherOrgIsStillSent() {
        // the bad rows come first: at the head of their lane, and of the claim
        long badRecipient = enqueue("org-bad", 1);
        long badPayload = enqueue("org-bad", 2);
        long badCategory = enqueue("org-bad", 3);
        sql.update("UPDATE outbound_message SET to_recipient = '0612345678' WHERE id = ?", badRecipient);
        sql.update("UPDATE outbound_message SET payload_json = '[1, 2]'::jsonb WHERE id = ?", badPayload);
        sql.update("UPDATE outbound_message SET error_code = '131000', error_message = 'earlier try',"
                + " error_category = 'FROM_A_NEWER_VERSION' WHERE id = ?", badCategory);
        List<Long> good = List.of(enqueue("org-a", 10), enqueue("org-a", 11), enqueue("org-b", 20), enqueue("org-b", 21));

        dispatch();

        good.forEach(id -> Eventually.await("message " + id + " SENT", WAIT, () -> status(id).equals("SENT")));
        Eventually.await("an unknown category reads as UNKNOWN, and is sent", WAIT,
                () -> status(badCategory).equals("SENT"));
        for (long id : List.of(badRecipient, badPayload)) {
            Eventually.await("message " + id + " dead-lettered", WAIT, () -> status(id).equals("FAILED"));
        }
        Map<String, Object> recipient = sql.rows("SELECT error_code, error_message, error_category, locked_until"
                + " FROM outbound_message WHERE id = ?", badRecipient).get(0);
        assertThat(recipient).containsEntry("error_code", OutboxErrorCodes.UNREADABLE_ROW)
                .containsEntry("error_category", ErrorCategory.BAD_REQUEST.name())
                .containsEntry("locked_until", null);
        assertThat((String) recipient.get("error_message")).contains("to_recipient").contains("E.164")
                .doesNotContain("12345678");
        Map<String, Object> payload = sql.rows("SELECT error_code, error_message FROM outbound_message WHERE id = ?",
                badPayload).get(0);
        assertThat(payload).containsEntry("error_code", OutboxErrorCodes.UNREADABLE_ROW);
        assertThat((String) payload.get("error_message")).contains("payload_json").doesNotContain("[1, 2]");
        assertThat(meta.callsFor(badRecipient)).isZero();
        assertThat(meta.callsFor(badPayload)).isZero();
        good.forEach(id -> assertThat(meta.callsFor(id)).isEqualTo(1));
    }

    @Test
    void aReceiptForAMessageThatCannotBeReadIsIgnoredAndTheRestOfTheWebhookApplied() {
        long readable = enqueue("org-a", 1);
        long unreadable = enqueue("org-a", 2);
        dispatch();
        for (long id : List.of(readable, unreadable)) {
            Eventually.await("message " + id + " SENT", WAIT, () -> status(id).equals("SENT"));
        }
        sql.update("UPDATE outbound_message SET payload_json = '\"not an object\"'::jsonb WHERE id = ?", unreadable);
        String readablePid = (String) sql.one("SELECT provider_message_id FROM outbound_message WHERE id = ?", readable);
        String unreadablePid = (String) sql.one("SELECT provider_message_id FROM outbound_message WHERE id = ?",
                unreadable);

        WebhookResult r = dispatcher.webhooks().accept(new WebhookBatch("meta", List.of(
                new DeliveryReceipt(Channel.WHATSAPP, unreadablePid, DeliveryStatus.DELIVERED, Instant.now(), null),
                new DeliveryReceipt(Channel.WHATSAPP, readablePid, DeliveryStatus.DELIVERED, Instant.now(), null)),
                List.of()));

        assertThat(r.ignored()).isEqualTo(1);
        assertThat(r.applied()).isEqualTo(1);
        assertThat(status(readable)).isEqualTo("DELIVERED");
        assertThat(status(unreadable)).isEqualTo("SENT");
    }

    @Test
    void operatorViewsAndTheFallbackPassOverARowThatCannotBeRead() {
        long id = enqueue("org-a", 1);
        sql.update("UPDATE outbound_message SET to_recipient = 'not a number' WHERE id = ?", id);
        dispatch();
        Eventually.await("dead-lettered", WAIT, () -> status(id).equals("FAILED"));
        sql.update("UPDATE outbound_message SET error_category = 'FROM_A_NEWER_VERSION' WHERE id = ?", id);

        OutboxOperations ops = outbox.operations();
        assertThat(ops.deadLetterReport(Scope.allOrgs(), DeadLetterQuery.defaults()).toString())
                .contains(OutboxErrorCodes.UNREADABLE_ROW);
        assertThat(ops.failureAnalysis(Scope.allOrgs(), FailureQuery.defaults())).isNotNull();
        assertThat(ops.queueStatus(Scope.allOrgs(), QueueStatusQuery.defaults())).isNotNull();
        // the SMS fallback of dead letters reads each row whole: this one is passed over, not a crash
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.UNKNOWN).smsText(m -> "Rappel"));
        assertThat(ops.fallbackToSms(Scope.allOrgs(), DeadLetterFilter.all(), rules, BulkOptions.defaults(),
                Operator.of("jdoe", "test")).changed()).isZero();
    }
}
