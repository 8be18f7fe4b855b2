package io.whatsappoutbox.jdbc.ops;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.internal.JdbcOperations;
import io.whatsappoutbox.jdbc.testing.OpsSeed;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** A migrated database, an outbox on a hand-moved clock, and operations that record their pauses. */
final class OpsFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final Operator OPERATOR = Operator.of("jdoe", "INC-4312 Meta outage");

    final HikariDataSource ds = TestDatabase.newMigratedDatabase();
    final MutableClock clock = new MutableClock(T0);
    final JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).clock(clock)
            .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build();
    final OpsSeed seed = new OpsSeed(outbox);
    final Sql sql = seed.sql();
    final List<Duration> pauses = new CopyOnWriteArrayList<>();

    OutboxOperations ops() {
        return ops(UnaryOperator.identity());
    }

    /** Operations whose archive writes through {@code streams}, and whose pauses are recorded, not slept. */
    OutboxOperations ops(UnaryOperator<OutputStream> streams) {
        return new JdbcOperations(outbox.jdbi(), clock, outbox.providerConfigs(), pauses::add, streams);
    }

    static Instant ago(Duration d) {
        return T0.minus(d);
    }

    @Override
    public void close() {
        outbox.close();
        ds.close();
    }
}
