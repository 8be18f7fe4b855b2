package io.whatsappoutbox.test;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.OutboxMigrator;
import io.whatsappoutbox.test.internal.ContainerServer;
import io.whatsappoutbox.test.internal.DatabaseServer;
import io.whatsappoutbox.test.internal.EmbeddedServer;
import io.whatsappoutbox.test.internal.Waits;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension giving a host's test what its integration of the outbox needs:
 * <ul>
 *   <li>{@link #dataSource()}: a PostgreSQL database migrated with the outbox schema, on one embedded
 *       server per JVM; a new database per test class or per test ({@link Builder#freshDatabase});
 *   <li>{@link #meta()} and {@link #twilio()}: the providers' APIs on WireMock, answering with their
 *       real payloads, scriptable with their error codes and delays, and the signed receipts they
 *       would send next;
 *   <li>{@link #awaitStatus}: waits for the dispatcher to move a message, without fixed sleeps.
 * </ul>
 *
 * <pre>{@code
 * @RegisterExtension
 * static OutboxTestKit kit = OutboxTestKit.builder().build();
 * }</pre>
 *
 * Registered in a {@code static} field the stubs run for the class, and one database serves it
 * unless {@link FreshDatabase#PER_TEST}; in an instance field everything is per test. The stubs
 * are reset before each test.
 */
public final class OutboxTestKit implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final int POOL_SIZE = 10;

    private final FreshDatabase freshDatabase;
    private final Duration timeout;
    private final MetaStub meta;
    private final TwilioStub twilio;
    /** The Testcontainers image, or null for the embedded server. */
    private final String containerImage;
    private DatabaseServer server;
    private boolean classScoped;
    private boolean running;
    private String database;
    private HikariDataSource dataSource;

    private OutboxTestKit(Builder b) {
        this.freshDatabase = b.freshDatabase;
        this.containerImage = b.containerImage;
        this.timeout = b.timeout;
        this.meta = new MetaStub(b.metaAppSecret, b.clock, b.timeout);
        this.twilio = new TwilioStub(b.twilioAuthToken, b.twilioCallbackUrl, b.clock, b.timeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        classScoped = true;
        start();
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        start();
        meta.reset();
        twilio.reset();
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (!classScoped || freshDatabase == FreshDatabase.PER_TEST) {
            closeDatabase();
        }
        if (!classScoped) {
            stop();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        closeDatabase();
        stop();
        classScoped = false;
    }

    private void start() {
        if (containerImage != null) {
            server(); // where Docker does not run, the tests are skipped before they start
        }
        if (!running) {
            meta.start();
            twilio.start();
            running = true;
        }
    }

    private void stop() {
        meta.stop();
        twilio.stop();
        running = false;
    }

    /**
     * The test's database, migrated with the outbox schema (created on first use, so that a test
     * of the stubs alone starts no database). Build the host's {@code JdbcOutbox} on it. The kit
     * closes it and drops the database after the test (or the class).
     */
    public synchronized DataSource dataSource() {
        requireRunning("dataSource");
        if (dataSource == null) {
            String name = server().createDatabase();
            HikariDataSource ds = server().pool(name, POOL_SIZE);
            try {
                OutboxMigrator.migrate(ds);
            } catch (RuntimeException e) {
                ds.close();
                server().dropDatabase(name);
                throw e;
            }
            database = name;
            dataSource = ds;
        }
        return dataSource;
    }

    /**
     * The JDBC URL of {@link #dataSource()}'s database, user included ({@code postgres}, password
     * {@code postgres}), for a host that builds its own pool or framework context.
     */
    public synchronized String jdbcUrl() {
        dataSource();
        return server().jdbcUrl(database);
    }

    public MetaStub meta() {
        requireRunning("meta");
        return meta;
    }

    public TwilioStub twilio() {
        requireRunning("twilio");
        return twilio;
    }

    /** How long the kit's waits wait before they fail. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Waits until message {@code messageId} of {@code orgId} has {@code expected} status, read
     * through {@link JdbcOutbox#find}, and returns it. Fails at once when it reaches
     * {@code FAILED} or {@code CANCELLED} instead, with its last error.
     */
    public OutboundMessage awaitStatus(JdbcOutbox outbox, String orgId, long messageId, MessageStatus expected) {
        String what = "message " + messageId + " of " + orgId + " " + expected;
        Waits.until(what, timeout, () -> {
            Optional<OutboundMessage> m = outbox.find(orgId, messageId);
            if (m.isEmpty() || m.get().status() == expected) {
                return m.isPresent();
            }
            MessageStatus now = m.get().status();
            if (now == MessageStatus.FAILED || now == MessageStatus.CANCELLED) {
                throw new AssertionError("expected " + what + ", but it is " + describe(m.get()));
            }
            return false;
        }, () -> outbox.find(orgId, messageId).map(OutboxTestKit::describe).orElse("no such message"));
        return outbox.find(orgId, messageId).orElseThrow();
    }

    /** Fails unless message {@code messageId} of {@code orgId} has {@code expected} status now. */
    public OutboundMessage assertStatus(JdbcOutbox outbox, String orgId, long messageId, MessageStatus expected) {
        OutboundMessage m = outbox.find(orgId, messageId).orElseThrow(() -> new AssertionError(
                "expected message " + messageId + " of " + orgId + " " + expected + ", but there is no such message"));
        if (m.status() != expected) {
            throw new AssertionError("expected message " + messageId + " of " + orgId + " " + expected + ", but it is "
                    + describe(m));
        }
        return m;
    }

    /** Waits until {@code condition} holds; fails after {@link #timeout()} naming {@code what}. */
    public void await(String what, BooleanSupplier condition) {
        Waits.until(what, timeout, condition, null);
    }

    private static String describe(OutboundMessage m) {
        return m.status() + (m.lastError() == null ? "" : " (last error " + m.lastError().code() + ": "
                + m.lastError().category() + ")") + " after " + m.attemptCount() + " attempt(s)";
    }

    private synchronized DatabaseServer server() {
        if (server == null) {
            if (containerImage == null) {
                server = EmbeddedServer.instance();
            } else {
                try {
                    Class.forName("org.testcontainers.containers.PostgreSQLContainer", false,
                            OutboxTestKit.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("testcontainers(" + containerImage + ") needs"
                            + " org.testcontainers:postgresql on the test classpath", e);
                }
                server = ContainerServer.of(containerImage);
            }
        }
        return server;
    }

    private void requireRunning(String what) {
        if (!running) {
            throw new IllegalStateException(what + ": the kit serves a test only while it runs; register it with"
                    + " @RegisterExtension");
        }
    }

    private synchronized void closeDatabase() {
        if (dataSource != null) {
            dataSource.close();
            server().dropDatabase(database);
            dataSource = null;
            database = null;
        }
    }

    /** The kit's settings; {@link #build()} checks them all at once. */
    public static final class Builder {
        private FreshDatabase freshDatabase = FreshDatabase.PER_CLASS;
        private String containerImage;
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Secret metaAppSecret = Secret.of("kit-meta-app-secret-0001");
        private Secret twilioAuthToken = Secret.of("kit0twilio0auth0token000000000001");
        private String twilioCallbackUrl = "https://host.example/webhooks/twilio/status";

        private Builder() {}

        /**
         * The databases on PostgreSQL in a Testcontainers container of {@code image} (such as
         * {@code postgres:17-alpine}) instead of the embedded server: the host's own PostgreSQL
         * version. Needs {@code org.testcontainers:postgresql} on the test classpath and Docker;
         * where Docker does not run, the kit's tests are skipped with the reason, never failed.
         */
        public Builder testcontainers(String image) {
            this.containerImage = image;
            return this;
        }

        /** A new database per test class (the default, with a {@code static} kit) or per test. */
        public Builder freshDatabase(FreshDatabase freshDatabase) {
            this.freshDatabase = freshDatabase;
            return this;
        }

        /** How long {@link #awaitStatus} and the stubs' waits wait before failing (default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** The clock the receipts' timestamps are read from: the host's test clock, if it has one. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The Meta app secret the receipts are signed with: the one the host's webhook handler checks. */
        public Builder metaAppSecret(Secret metaAppSecret) {
            this.metaAppSecret = metaAppSecret;
            return this;
        }

        /** The Twilio auth token the status callbacks are signed with. */
        public Builder twilioAuthToken(Secret twilioAuthToken) {
            this.twilioAuthToken = twilioAuthToken;
            return this;
        }

        /**
         * The URL Twilio's callbacks are signed for when a send carried no {@code StatusCallback}:
         * the host's public URL, as its {@code TwilioStatusCallbackHandler} is configured.
         */
        public Builder twilioCallbackUrl(String twilioCallbackUrl) {
            this.twilioCallbackUrl = twilioCallbackUrl;
            return this;
        }

        /** @throws io.whatsappoutbox.core.InvalidInputException naming every setting that is missing or wrong */
        public OutboxTestKit build() {
            Violations v = new Violations();
            v.requireNonNull("freshDatabase", freshDatabase);
            if (v.requireNonNull("timeout", timeout) && (timeout.isNegative() || timeout.isZero())) {
                v.add("timeout", "must be positive, was " + timeout, "a positive duration");
            }
            v.requireNonNull("clock", clock);
            v.requireNonNull("metaAppSecret", metaAppSecret);
            v.requireNonNull("twilioAuthToken", twilioAuthToken);
            if (v.requirePresent("twilioCallbackUrl", twilioCallbackUrl) && !isHttpUrl(twilioCallbackUrl)) {
                v.add("twilioCallbackUrl", "'" + Violations.printable(twilioCallbackUrl)
                        + "' is not an absolute http(s) URL", "the URL Twilio posts status callbacks to");
            }
            if (containerImage != null && !containerImage.matches("[A-Za-z0-9][A-Za-z0-9._/:@-]{0,199}")) {
                v.add("testcontainers", "'" + Violations.printable(containerImage) + "' is not an image name",
                        "a Docker image such as postgres:17-alpine");
            }
            v.throwIfAny("test kit settings");
            return new OutboxTestKit(this);
        }

        private static boolean isHttpUrl(String url) {
            try {
                URI uri = new URI(url);
                return uri.isAbsolute() && uri.getHost() != null
                        && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()));
            } catch (java.net.URISyntaxException e) {
                return false;
            }
        }
    }
}
