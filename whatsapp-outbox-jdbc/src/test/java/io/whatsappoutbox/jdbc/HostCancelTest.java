package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host's cancel and supersede by business key, in its own transaction. */
class HostCancelTest {
    static HikariDataSource ds;
    static JdbcOutbox outbox;
    static Sql sql;
    static final Operator CRM = Operator.of("crm", "appointment cancelled by the customer");

    @BeforeAll
    static void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        sql = new Sql(ds);
    }

    @AfterAll
    static void stop() {
        ds.close();
    }

    @BeforeEach
    void empty() {
        sql.update("TRUNCATE outbound_message, outbox_audit CASCADE");
    }

    static OutboundMessageRequest reminder(String org, String dossier, String key) {
        return OutboundMessageRequest.whatsapp(org, Requests.phone(1)).template("appointment_reminder", "fr", key)
                .dossierId(dossier).idempotencyKey(key).build();
    }

    static long enqueue(String org, String dossier, String key) {
        return outbox.enqueue(reminder(org, dossier, key)).message().id();
    }

    static MessageStatus status(long id) {
        return MessageStatus.valueOf((String) sql.one("SELECT status FROM outbound_message WHERE id = ?", id));
    }

    @Test
    void aCancelInARolledBackHostTransactionCancelsNothing() throws Exception {
        long id = enqueue("org-1", "D-1", "r-1");
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            CancelResult r = outbox.cancel(c, "org-1", BusinessKey.dossier("D-1"), CRM);
            assertThat(r.cancelled()).containsExactly(id);
            c.rollback();
        }
        assertThat(status(id)).isEqualTo(MessageStatus.QUEUED);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).as("the audit row went with the rollback").isZero();
    }

    @Test
    void aCommittedCancelTakesExactlyTheOrgsQueuedMessagesOfTheDossier() throws Exception {
        long first = enqueue("org-1", "D-1", "r-1");
        long second = enqueue("org-1", "D-1", "r-2");
        long otherDossier = enqueue("org-1", "D-2", "r-3");
        long otherOrg = enqueue("org-2", "D-1", "r-1");
        long sent = enqueue("org-1", "D-1", "r-4");
        sql.update("UPDATE outbound_message SET status = 'SENT', provider_message_id = 'wamid.1', sent_at = now() WHERE id = ?", sent);
        CancelResult r;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            r = outbox.cancel(c, "org-1", BusinessKey.dossier("D-1"), CRM);
            c.commit();
            assertThat(c.isClosed()).isFalse();
        }
        assertThat(r.cancelled()).containsExactly(first, second);
        assertThat(r.inFlight()).isEmpty();
        assertThat(status(first)).isEqualTo(MessageStatus.CANCELLED);
        assertThat(status(second)).isEqualTo(MessageStatus.CANCELLED);
        assertThat(status(otherDossier)).isEqualTo(MessageStatus.QUEUED);
        assertThat(status(otherOrg)).as("another org's same dossier").isEqualTo(MessageStatus.QUEUED);
        assertThat(status(sent)).isEqualTo(MessageStatus.SENT);
        // the operator's cancel trace: one audit row, the operation on the rows, the actor as updated_by
        Map<String, Object> audit = sql.rows("SELECT * FROM outbox_audit").get(0);
        assertThat(audit.get("action")).isEqualTo("CANCEL_MESSAGES");
        assertThat(audit.get("operator")).isEqualTo("crm");
        assertThat(audit.get("reason")).isEqualTo("appointment cancelled by the customer");
        assertThat(audit.get("org_scope")).isEqualTo("org-1");
        assertThat(audit.get("affected_count")).isEqualTo(2);
        assertThat(audit.get("filter_json").toString()).contains("\"dossierId\": \"D-1\"");
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE operation_id = ?::uuid AND updated_by = 'crm'",
                audit.get("operation_id").toString())).isEqualTo(2);
        assertThat(outbox.operations().progress(io.whatsappoutbox.jdbc.ops.Scope.org("org-1"),
                (java.util.UUID) audit.get("operation_id")).statusCounts().get(MessageStatus.CANCELLED)).isEqualTo(2L);
    }

    @Test
    void cancelsOneMessageByItsIdempotencyKeyInATransactionOfItsOwn() {
        long target = enqueue("org-1", "D-1", "r-1");
        long sibling = enqueue("org-1", "D-1", "r-2");
        CancelResult r = outbox.cancel("org-1", BusinessKey.idempotencyKey("r-1"));
        assertThat(r.cancelled()).containsExactly(target);
        assertThat(status(sibling)).isEqualTo(MessageStatus.QUEUED);
        assertThat(sql.one("SELECT operator FROM outbox_audit")).isEqualTo("host");
        assertThat(outbox.cancel("org-1", BusinessKey.idempotencyKey("r-1")))
                .as("a second cancel finds nothing left to cancel and writes no audit row")
                .isEqualTo(new CancelResult(List.of(), List.of()));
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).isEqualTo(1);
    }

    @Test
    void aMessageInFlightIsNotCancelledAndIsReportedAsSuch() {
        long claimedId = enqueue("org-1", "D-1", "r-1");
        assertThat(outbox.dispatchStore().claim("node-a:1", 10, Duration.ofMinutes(5), Instant.now()))
                .extracting(c -> c.message().id()).containsExactly(claimedId);
        long queued = enqueue("org-1", "D-1", "r-2");
        CancelResult r = outbox.cancel("org-1", BusinessKey.dossier("D-1"), CRM);
        assertThat(r.cancelled()).containsExactly(queued);
        assertThat(r.inFlight()).containsExactly(claimedId);
        assertThat(status(claimedId)).isEqualTo(MessageStatus.SENDING);
        assertThat(outbox.cancel("org-1", BusinessKey.idempotencyKey("r-1"), CRM).inFlight()).containsExactly(claimedId);
    }

    @Test
    void aSupersedingEnqueueReplacesTheQueuedMessageAndARollbackKeepsIt() throws Exception {
        long old = enqueue("org-1", "D-1", "r-1");
        long otherOrg = enqueue("org-2", "D-1", "r-1");
        OutboundMessageRequest moved = OutboundMessageRequest.whatsapp("org-1", Requests.phone(1))
                .template("appointment_reminder", "fr", "mardi").dossierId("D-1").idempotencyKey("r-1-moved")
                .createdBy("crm").supersedes(BusinessKey.dossier("D-1")).build();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            EnqueueResult r = outbox.enqueue(c, moved);
            assertThat(r.superseded()).containsExactly(old);
            c.rollback();
        }
        assertThat(status(old)).as("the rollback undid the cancel with the insert").isEqualTo(MessageStatus.QUEUED);
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(2);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).isZero();

        EnqueueResult r = outbox.enqueue(moved);
        assertThat(r.created()).isTrue();
        assertThat(r.superseded()).containsExactly(old);
        assertThat(status(old)).isEqualTo(MessageStatus.CANCELLED);
        assertThat(status(r.message().id())).as("the new message does not cancel itself").isEqualTo(MessageStatus.QUEUED);
        assertThat(status(otherOrg)).isEqualTo(MessageStatus.QUEUED);
        Map<String, Object> audit = sql.rows("SELECT * FROM outbox_audit").get(0);
        assertThat(audit.get("action")).isEqualTo("CANCEL_MESSAGES");
        assertThat(audit.get("operator")).isEqualTo("crm");
        assertThat(audit.get("reason")).isEqualTo("superseded by message " + r.message().id());
        assertThat(audit.get("filter_json").toString()).contains("\"supersededBy\": " + r.message().id());
        assertThat(sql.one("SELECT updated_by FROM outbound_message WHERE id = ?", old)).isEqualTo("crm");
    }

    @Test
    void enqueueingASupersedingMessageAgainCancelsNothingMore() {
        enqueue("org-1", "D-1", "r-1");
        OutboundMessageRequest moved = OutboundMessageRequest.whatsapp("org-1", Requests.phone(1))
                .template("appointment_reminder", "fr", "mardi").dossierId("D-1").idempotencyKey("r-2")
                .supersedes(BusinessKey.dossier("D-1")).build();
        assertThat(outbox.enqueue(moved).superseded()).hasSize(1);
        // a message the host enqueues for the dossier after the supersede
        long later = enqueue("org-1", "D-1", "r-3");
        EnqueueResult again = outbox.enqueue(moved);
        assertThat(again.created()).isFalse();
        assertThat(again.superseded()).isEmpty();
        assertThat(status(later)).isEqualTo(MessageStatus.QUEUED);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).isEqualTo(1);
    }

    @Test
    void supersedesByIdempotencyKeyInABatchAndReportsEachRequestsOwn() {
        long a = enqueue("org-1", "D-1", "a");
        long b = enqueue("org-1", "D-2", "b");
        List<EnqueueResult> results = outbox.enqueueAll(List.of(
                OutboundMessageRequest.whatsapp("org-1", Requests.phone(2)).text("a2").idempotencyKey("a2")
                        .supersedes(BusinessKey.idempotencyKey("a")).build(),
                OutboundMessageRequest.whatsapp("org-1", Requests.phone(3)).text("plain").idempotencyKey("c").build(),
                OutboundMessageRequest.whatsapp("org-1", Requests.phone(4)).text("b2").idempotencyKey("b2")
                        .supersedes(BusinessKey.idempotencyKey("b")).build()));
        assertThat(results.get(0).superseded()).containsExactly(a);
        assertThat(results.get(1).superseded()).isEmpty();
        assertThat(results.get(2).superseded()).containsExactly(b);
        assertThat(sql.count("SELECT count(*) FROM outbox_audit")).as("one operation per superseding message").isEqualTo(2);
    }

    @Test
    void aCancelledMessageIsNeverSentByARunningDispatcher() throws Exception {
        ScriptedProvider meta = ScriptedProvider.whatsapp();
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(1)), Channel.WHATSAPP, "test", "test");
        try (Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta)
                .pollInterval(Duration.ofMillis(20)).build()) {
            d.start();
            long probe = enqueue("org-1", null, "probe");
            Eventually.await("the dispatcher sends", Duration.ofSeconds(30), () -> meta.callsFor(probe) == 1);
            // cancelled in the transaction that enqueues it: the dispatcher, woken by the insert, sees it cancelled
            long cancelled;
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                cancelled = outbox.enqueue(c, reminder("org-1", "D-9", "r-9")).message().id();
                assertThat(outbox.cancel(c, "org-1", BusinessKey.dossier("D-9"), CRM).cancelled()).containsExactly(cancelled);
                c.commit();
            }
            long after = enqueue("org-1", "D-10", "r-10");
            Eventually.await("the next message is sent", Duration.ofSeconds(30), () -> meta.callsFor(after) == 1);
            assertThat(meta.callsFor(cancelled)).isZero();
            assertThat(status(cancelled)).isEqualTo(MessageStatus.CANCELLED);
        }
    }

    @Test
    void refusesAKeyThatNamesNothingItCouldMatch() {
        assertThatThrownBy(() -> BusinessKey.dossier(" "))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("dossierId");
        assertThatThrownBy(() -> BusinessKey.idempotencyKey("a b"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("idempotencyKey");
        assertThatThrownBy(() -> outbox.cancel("org 1", BusinessKey.dossier("D-1")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("orgId");
        assertThatThrownBy(() -> OutboundMessageRequest.whatsapp("org-1", Requests.phone(1)).text("x")
                .idempotencyKey("k").supersedes(BusinessKey.idempotencyKey("k")).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("supersedes");
    }
}
