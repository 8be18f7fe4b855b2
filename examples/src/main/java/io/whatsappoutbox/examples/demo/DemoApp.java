package io.whatsappoutbox.examples.demo;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable host application. By default it tells the whole story of the runbook and exits 0;
 * with {@code OUTBOX_DEMO_MODE=serve} it keeps running and serves the runbook's HTTP endpoints.
 */
public final class DemoApp {
    private DemoApp() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(System.getenv(), System.out, 1000));
    }

    /** Runs the mode the environment asks for; returns the exit code. */
    static int run(Map<String, String> env, PrintStream out, int storyMessages) throws Exception {
        DemoConfig config;
        try {
            config = DemoConfig.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        }
        out.println("whatsapp-outbox demo (" + (config.serve() ? "serve mode" : "story") + ")");
        if (config.encryptionKeyGenerated()) {
            // never printed: a key in a terminal's scrollback or a log is no longer a secret
            out.println("OUTBOX_ENCRYPTION_KEY is unset: this run seals secrets with a throw-away key (not shown),"
                    + " so what it stores cannot be read after a restart");
        }
        if (!config.serve()) {
            try (DemoStack stack = DemoStack.start(config.withPort(0), line -> out.println("    " + line))) {
                DemoStory.Outcome outcome = new DemoStory(stack, out, storyMessages).run();
                return outcome.lostOrStuck() == 0 ? 0 : 1;
            }
        }
        DemoStack stack = DemoStack.start(config, line -> out.println("    " + line));
        if (config.defaultAdminToken()) {
            out.println("    API token: the demo default '" + DemoConfig.DEFAULT_ADMIN_TOKEN + "', for every org"
                    + " (OUTBOX_DEMO_API_TOKENS gives each token its orgs)");
        }
        out.println("    operator CLI: OUTBOX_JDBC_URL=" + stack.jdbcUrl + " OUTBOX_JDBC_USER=postgres"
                + " OUTBOX_JDBC_PASSWORD=postgres");
        out.println("Serving; Ctrl-C stops.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
