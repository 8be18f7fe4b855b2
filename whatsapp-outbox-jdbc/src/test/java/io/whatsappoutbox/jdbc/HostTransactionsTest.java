package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writes called without a connection join the host's transaction in progress, and only then. */
class HostTransactionsTest {
    HikariDataSource ds;
    Sql sql;
    /** The host's transaction on this thread, as a framework would hold it. */
    final ThreadLocal<Connection> current = new ThreadLocal<>();
    final List<Connection> released = new ArrayList<>();
    JdbcOutbox outbox;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
        outbox = JdbcOutbox.builder().dataSource(ds).encryptionKeys(EncryptionKeys.of("k1", new byte[32]))
                .hostTransactions(new HostTransactions() {
                    @Override
                    public Connection currentConnection() {
                        return current.get();
                    }

                    @Override
                    public void release(Connection connection) {
                        released.add(connection);
                    }
                }).build();
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** Runs {@code work} in a host transaction that commits or rolls back. */
    void inHostTransaction(boolean commit, Runnable work) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            current.set(c);
            try {
                work.run();
            } finally {
                current.remove();
            }
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        }
    }

    long messages() {
        return sql.count("SELECT count(*) FROM outbound_message");
    }

    @Test
    void anEnqueueAndAConsentWithoutAConnectionRollBackWithTheHostsTransaction() throws Exception {
        PhoneNumber customer = PhoneNumber.of(Requests.phone(1));
        inHostTransaction(false, () -> {
            outbox.consents().grant("org-1", customer, Channel.WHATSAPP, "booking form", "web");
            outbox.enqueue(Requests.template("org-1", 1));
            assertThat(messages()).as("not visible outside the host's transaction").isZero();
        });

        assertThat(messages()).isZero();
        assertThat(outbox.consents().status("org-1", customer, Channel.WHATSAPP)).isEqualTo(ConsentStatus.UNKNOWN);
        assertThat(released).hasSize(2);
    }

    @Test
    void theyCommitWithTheHostsTransactionAndACancelJoinsItToo() throws Exception {
        inHostTransaction(true, () -> {
            outbox.enqueue(Requests.template("org-1", 2));
            outbox.enqueueAll(List.of(Requests.template("org-1", 3)));
        });
        assertThat(messages()).isEqualTo(2);

        inHostTransaction(false, () -> outbox.cancel("org-1", BusinessKey.idempotencyKey(
                Requests.template("org-1", 2).idempotencyKey())));
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'QUEUED'")).as("rolled back")
                .isEqualTo(2);
        inHostTransaction(true, () -> outbox.cancel("org-1", BusinessKey.idempotencyKey(
                Requests.template("org-1", 2).idempotencyKey())));
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'CANCELLED'")).isEqualTo(1);
    }

    @Test
    void withoutAHostTransactionEachWriteCommitsOnItsOwn() {
        outbox.enqueue(Requests.template("org-1", 4));
        assertThat(messages()).isEqualTo(1);
        assertThat(released).isEmpty();
    }

    @Test
    void aConnectionInAutocommitIsRefusedAndNothingIsWritten() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(true);
            current.set(c);
            assertThatThrownBy(() -> outbox.enqueue(Requests.template("org-1", 5)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("autocommit");
        } finally {
            current.remove();
        }
        assertThat(messages()).isZero();
    }
}
