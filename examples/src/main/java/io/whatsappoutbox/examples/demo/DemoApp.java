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
        DemoConfig config = DemoConfig.fromEnvironment(env);
        out.println("whatsapp-outbox demo (" + (config.serve() ? "serve mode" : "story") + ")");
        if (config.encryptionKeyGenerated()) {
            out.println("OUTBOX_ENCRYPTION_KEY is unset: generated one for this run: " + config.encryptionKeyBase64());
        }
        if (!config.serve()) {
            try (DemoStack stack = DemoStack.start(config.withPort(0), line -> out.println("    " + line))) {
                DemoStory.Outcome outcome = new DemoStory(stack, out, storyMessages).run();
                return outcome.lostOrStuck() == 0 ? 0 : 1;
            }
        }
        DemoStack stack = DemoStack.start(config, line -> out.println("    " + line));
        if (DemoConfig.DEFAULT_ADMIN_TOKEN.equals(config.adminToken().reveal())) {
            out.println("    admin token: the demo default '" + DemoConfig.DEFAULT_ADMIN_TOKEN
                    + "' (set OUTBOX_DEMO_ADMIN_TOKEN)");
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
