package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Results;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Leases end and expire on the database's clock, whatever each instance's own clock says. */
class LeaseClockTest {
    static final Duration SKEW = Duration.ofMinutes(10);
    HikariDataSource ds;
    Sql sql;
    Clock right = Clock.systemUTC();
    Clock ahead = Clock.offset(Clock.systemUTC(), SKEW);
    Clock behind = Clock.offset(Clock.systemUTC(), SKEW.negated());

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    JdbcOutbox instance(Clock clock) {
        return JdbcOutbox.builder().dataSource(ds).clock(clock).build();
    }

    @Test
    void anInstanceWhoseClockIsAheadCannotRecoverAnotherInstancesLiveLease() {
        JdbcOutbox a = instance(right);
        DispatchStore skewed = instance(ahead).dispatchStore();
        a.enqueue(Requests.template("org-1", 1));
        ClaimedMessage claimed = a.dispatchStore().claim("a:1", 10, Duration.ofMinutes(2), right.instant()).get(0);

        assertThat(skewed.recoverExpiredLeases(ahead.instant(), 100)).isZero();
        assertThat(skewed.snapshot(ahead.instant(), Duration.ofMinutes(5)).stuckSending()).isZero();
        assertThat(skewed.claim("b:1", 10, Duration.ofMinutes(2), ahead.instant())).isEmpty();

        Instant done = right.instant();
        assertThat(a.dispatchStore().complete(List.of(Results.sent(claimed, done)), Results.DECISIONS, done).refused()).isEmpty();
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
    }

    @Test
    void anInstanceWhoseClockIsBehindGivesItsClaimsTheLeaseTheyAskFor() {
        JdbcOutbox late = instance(behind);
        late.enqueue(Requests.template("org-1", 1));
        late.dispatchStore().claim("late:1", 10, Duration.ofMinutes(2), behind.instant());

        assertThat(instance(right).dispatchStore().recoverExpiredLeases(right.instant(), 100)).isZero();
        // two minutes from the database's now, not from the late instance's
        assertThat(sql.one("SELECT locked_until > now() + interval '1 minute' FROM outbound_message")).isEqualTo(true);
    }

    @Test
    void aLeaseThatEndedByTheDatabasesClockIsRecoveredWhateverTheRecoverersClock() {
        JdbcOutbox a = instance(right);
        a.enqueue(Requests.template("org-1", 1));
        a.dispatchStore().claim("a:1", 10, Duration.ZERO, right.instant());

        assertThat(instance(behind).dispatchStore().recoverExpiredLeases(behind.instant(), 100)).isEqualTo(1);
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("QUEUED");
    }
}
