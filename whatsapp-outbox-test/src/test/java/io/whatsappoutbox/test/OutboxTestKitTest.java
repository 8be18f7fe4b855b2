package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The kit's life cycle, driven as JUnit drives an extension (the callbacks use no context): which
 * database a test gets, when it is dropped, and the stubs reset between tests.
 */
class OutboxTestKitTest {

    static String databaseOf(String jdbcUrl) {
        String path = URI.create(jdbcUrl.substring("jdbc:".length())).getPath();
        return path.substring(1);
    }

    static boolean exists(String jdbcUrl) throws SQLException {
        String admin = jdbcUrl.replace("/" + databaseOf(jdbcUrl) + "?", "/postgres?");
        try (Connection c = DriverManager.getConnection(admin, "postgres", "postgres");
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            s.setString(1, databaseOf(jdbcUrl));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1) == 1;
            }
        }
    }

    /** The outbox schema's version, and an outbox table read: the migrations ran. */
    static int schemaVersion(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT (SELECT max(version) FROM whatsapp_outbox.outbox_schema_history)"
                        + " + (SELECT count(*) FROM whatsapp_outbox.outbound_message)")) {
            r.next();
            return r.getInt(1);
        }
    }

    static int post(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"+33612345678\",\"type\":\"text\"}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void perTestEachTestGetsANewMigratedDatabaseAndTheLastOneIsDropped() throws Exception {
        OutboxTestKit kit = OutboxTestKit.builder().freshDatabase(FreshDatabase.PER_TEST).build();
        kit.beforeAll(null);
        kit.beforeEach(null);
        String first = kit.jdbcUrl();
        assertThat(schemaVersion(kit.dataSource())).isEqualTo(OutboxMigrator.latestVersion());
        kit.afterEach(null);
        assertThat(exists(first)).as("the first test's database, dropped").isFalse();

        kit.beforeEach(null);
        String second = kit.jdbcUrl();
        assertThat(databaseOf(second)).isNotEqualTo(databaseOf(first));
        assertThat(exists(second)).isTrue();
        kit.afterEach(null);
        kit.afterAll(null);
        assertThat(exists(second)).isFalse();
    }

    @Test
    void perClassOneDatabaseServesEveryTestOfTheClassThenIsDropped() throws Exception {
        OutboxTestKit kit = OutboxTestKit.builder().build();
        kit.beforeAll(null);
        kit.beforeEach(null);
        String first = kit.jdbcUrl();
        kit.afterEach(null);
        kit.beforeEach(null);
        assertThat(kit.jdbcUrl()).isEqualTo(first);
        kit.afterEach(null);
        assertThat(exists(first)).isTrue();
        kit.afterAll(null);
        assertThat(exists(first)).isFalse();
    }

    @Test
    void anInstanceKitServesOneTestAndStopsItsStubsAfterIt() throws Exception {
        OutboxTestKit kit = OutboxTestKit.builder().build();
        kit.beforeEach(null);
        String url = kit.jdbcUrl();
        String stub = kit.meta().baseUrl();
        assertThat(post(stub + "/v23.0/100000000000001/messages")).isEqualTo(200);
        kit.afterEach(null);

        assertThat(exists(url)).isFalse();
        assertThatThrownBy(kit::meta).isInstanceOf(IllegalStateException.class).hasMessageContaining("@RegisterExtension");
    }

    @Test
    void theStubsAreResetBeforeEachTest() throws Exception {
        OutboxTestKit kit = OutboxTestKit.builder().build();
        kit.beforeAll(null);
        kit.beforeEach(null);
        kit.meta().failAll(MetaError.TOKEN_EXPIRED);
        kit.twilio().failAll(TwilioError.AUTHENTICATION);
        assertThat(post(kit.meta().baseUrl() + "/v23.0/100000000000001/messages")).isEqualTo(401);
        assertThat(post(kit.twilio().baseUrl() + TwilioStub.MESSAGES_PATH)).isEqualTo(401);
        kit.afterEach(null);

        kit.beforeEach(null);
        assertThat(kit.meta().sends()).isEmpty();
        assertThat(post(kit.meta().baseUrl() + "/v23.0/100000000000001/messages")).isEqualTo(200);
        assertThat(post(kit.twilio().baseUrl() + TwilioStub.MESSAGES_PATH)).isEqualTo(201);
        kit.afterEach(null);
        kit.afterAll(null);
    }

    @Test
    void settingsAreCheckedAllAtOnceNamingEachField() {
        assertThatThrownBy(() -> OutboxTestKit.builder().freshDatabase(null).timeout(Duration.ZERO)
                .twilioCallbackUrl("/webhooks/sms").build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("freshDatabase").hasMessageContaining("timeout")
                .hasMessageContaining("twilioCallbackUrl");
    }
}
