package io.whatsappoutbox.examples.demo;

import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.ops.OutboxOperations;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The demo host in serve mode, for tests outside this package (the reliability suite): one per
 * test JVM, started on first use and stopped when the JVM exits, since a host takes seconds to
 * start (its own embedded PostgreSQL).
 */
public final class DemoHost {
    public static final String ADMIN_TOKEN = "test-admin-token-reliability";
    /** The seeded orgs, each with its Meta provider configuration. */
    public static final List<String> ORGS = DemoStack.ORGS;
    public static final List<String> PHONE_NUMBER_IDS = DemoStack.PHONE_NUMBER_IDS;
    private static DemoHost shared;

    private final DemoStack stack;

    private DemoHost(DemoStack stack) {
        this.stack = stack;
    }

    public static synchronized DemoHost shared() {
        if (shared == null) {
            DemoConfig config = DemoConfig.fromEnvironment(Map.of("OUTBOX_DEMO_MODE", "serve",
                    "OUTBOX_DEMO_ADMIN_TOKEN", ADMIN_TOKEN)).withPort(0);
            DemoStack stack = DemoStack.start(config, new PrintStream(new ByteArrayOutputStream())::println);
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            shared = new DemoHost(stack);
        }
        return shared;
    }

    public String baseUrl() {
        return "http://localhost:" + stack.http.port();
    }

    public JdbcOutbox outbox() {
        return stack.outbox;
    }

    public OutboxOperations operations() {
        return stack.operations;
    }

    public DataSource dataSource() {
        return stack.dataSource;
    }

    public Dispatcher dispatcher() {
        return stack.dispatcher;
    }

    public String jdbcUrl() {
        return stack.jdbcUrl;
    }
}
