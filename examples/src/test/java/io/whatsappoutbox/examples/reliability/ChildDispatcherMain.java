package io.whatsappoutbox.examples.reliability;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A host process that only dispatches, for the SIGKILL test: it connects to the test's database,
 * waits for "go" on stdin (so the test can boot the next process while the current one sends),
 * sends through the test's Meta stub, and runs until "stop" (a clean close) or until it is killed.
 * Settings come from the environment so that no secret shows on a command line.
 */
public final class ChildDispatcherMain {
    static final Duration LEASE = Duration.ofSeconds(4);

    private ChildDispatcherMain() {}

    public static void main(String[] args) throws Exception {
        String instance = System.getenv("CHILD_INSTANCE");
        JdbcOutbox outbox = JdbcOutbox.builder()
                .jdbcUrl(System.getenv("CHILD_JDBC_URL"), "postgres", "postgres")
                .maximumPoolSize(6)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", System.getenv("CHILD_ENCRYPTION_KEY")))
                .build();
        MetaCloudProvider meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs())
                .baseUrl(System.getenv("CHILD_META_BASE_URL"))
                .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2))
                .callTimeout(Duration.ofSeconds(2)).build();
        Dispatcher dispatcher = outbox.dispatcher()
                .provider(Channel.WHATSAPP, meta)
                .messagesPerSecond(10_000)
                .batchSize(25)
                .concurrency(16)
                .lease(LEASE)
                .closeTimeout(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .maintenanceInterval(Duration.ofMillis(500))
                .instanceId(instance)
                .build();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            return;
        }
        dispatcher.start();
        System.out.println("started " + instance);
        for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
            // wait for the test to say stop
        }
        dispatcher.close();
        meta.close();
        outbox.close();
        System.out.println("closed " + instance);
    }
}
