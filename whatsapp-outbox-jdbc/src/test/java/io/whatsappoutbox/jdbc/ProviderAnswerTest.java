package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whatever a provider answers, its result is written, or costs only its own message. */
class ProviderAnswerTest {
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

    long enqueue(int n) {
        outbox.consents().grant("org-1", PhoneNumber.of(Requests.phone(n)), Channel.WHATSAPP, "test", "test");
        return outbox.enqueue(Requests.template("org-1", n)).message().id();
    }

    void dispatch() {
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, ScriptedProvider.sms())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(10)).build();
        dispatcher.start();
    }

    Map<String, Object> row(long id) {
        return sql.rows("SELECT status, provider_message_id, error_code, error_message FROM outbound_message"
                + " WHERE id = ?", id).get(0);
    }

    @Test
    void aProviderIdAndErrorTextWithNulAndControlCharactersAreWrittenCleaned() {
        meta.script(Requests.phone(1), m -> SendResult.accepted("wamid.\u0000AB\u0007C\r\n"));
        meta.script(Requests.phone(2), m -> SendResult.rejected(new ProviderError("131026\u0000", 400,
                "Message\u0000 undeliverable\u001b[31m\r\nsecond line", "de\u0000tails", "trace\u0000id", null)));
        long accepted = enqueue(1);
        long refused = enqueue(2);

        dispatch();

        Eventually.await("accepted", WAIT, () -> "SENT".equals(row(accepted).get("status")));
        Eventually.await("refused", WAIT, () -> "FAILED".equals(row(refused).get("status")));
        assertThat(row(accepted)).containsEntry("provider_message_id", "wamid.ABC");
        assertThat(sql.one("SELECT provider_message_id FROM outbound_attempt WHERE message_id = ?", accepted))
                .isEqualTo("wamid.ABC");
        Map<String, Object> failed = row(refused);
        assertThat(failed).containsEntry("error_code", "131026");
        assertThat((String) failed.get("error_message")).startsWith("Message undeliverable [31m second line")
                .doesNotContainPattern("\\p{Cntrl}");
        assertThat((String) sql.one("SELECT error_message FROM outbound_attempt WHERE message_id = ?", refused))
                .doesNotContainPattern("\\p{Cntrl}");
        assertThat(meta.callsFor(accepted)).isEqualTo(1);
    }

    @Test
    void aResultTheStoreCannotTakeIsDeadLetteredAndTheRestOfItsBatchWrittenOnce() {
        // a row the store refuses whatever is done to its text: only that one may be lost
        sql.update("""
                CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.provider_message_id = 'wamid.poison' THEN
                        RAISE EXCEPTION 'this result cannot be stored';
                    END IF;
                    RETURN NEW;
                END $$""");
        sql.update("CREATE TRIGGER refuse_poison BEFORE UPDATE ON outbound_message FOR EACH ROW"
                + " EXECUTE FUNCTION refuse_poison()");
        meta.script(Requests.phone(5), m -> SendResult.accepted("wamid.poison"));
        List<Long> ids = IntStream.range(0, 12).mapToObj(this::enqueue).toList();
        long poison = ids.get(5);

        dispatch();

        Eventually.await("the poison dead-lettered", WAIT, () -> "FAILED".equals(row(poison).get("status")));
        for (long id : ids) {
            if (id != poison) {
                Eventually.await("message " + id + " SENT", WAIT, () -> "SENT".equals(row(id).get("status")));
            }
        }
        Map<String, Object> dead = row(poison);
        assertThat(dead).containsEntry("error_code", OutboxErrorCodes.UNWRITABLE_RESULT)
                .containsEntry("provider_message_id", null);
        assertThat((String) dead.get("error_message")).contains("SENT result could not be written");
        // each result written once, each message sent once: nothing waits for its lease to be sent again
        assertThat(sql.rows("SELECT message_id, count(*) AS n FROM outbound_attempt GROUP BY message_id"))
                .hasSize(ids.size()).allSatisfy(r -> assertThat(((Number) r.get("n")).longValue()).isEqualTo(1));
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt WHERE outcome = 'SENT'")).isEqualTo(11);
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENDING'")).isZero();
        ids.forEach(id -> assertThat(meta.callsFor(id)).as("calls for %s", id).isEqualTo(1));
    }

    @Test
    void aStoreFailureThatIsNotAboutTheDataNeverDeadLettersHoweverOftenItRepeats() {
        // every SENT completion fails as with a server shutting down, until it is back (a dead letter
        // would go through: only a refusal of the data itself may cost a message)
        sql.update("CREATE SEQUENCE refusals"); // not rolled back with the refused transaction
        sql.update("""
                CREATE FUNCTION going_down() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.status = 'SENT' THEN
                        PERFORM nextval('refusals');
                        RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = '57P01';
                    END IF;
                    RETURN NEW;
                END $$""");
        sql.update("CREATE TRIGGER going_down BEFORE UPDATE ON outbound_message FOR EACH ROW"
                + " EXECUTE FUNCTION going_down()");
        List<Long> ids = IntStream.range(0, 4).mapToObj(this::enqueue).toList();

        dispatch();
        Eventually.await("every message called", WAIT, () -> ids.stream().allMatch(id -> meta.callsFor(id) == 1));
        Eventually.await("completions tried again and again", WAIT,
                () -> sql.count("SELECT last_value FROM refusals") >= 12);
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENDING'")).isEqualTo(4);
        sql.update("DROP TRIGGER going_down ON outbound_message");

        Eventually.await("all written once the database is back", WAIT,
                () -> sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENT'") == 4);
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'FAILED'")).isZero();
        ids.forEach(id -> assertThat(meta.callsFor(id)).isEqualTo(1));
    }
}
