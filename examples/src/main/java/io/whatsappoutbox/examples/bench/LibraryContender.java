package io.whatsappoutbox.examples.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The library as a host uses it: {@link JdbcOutbox#enqueueAll(Connection, List)} inside the host's
 * transaction, and the real {@link Dispatcher} with every rule on (a granted consent row per
 * recipient, a provider config and a quota row with a high limit per org, pacing at its highest
 * setting, Prometheus metrics). The provider answers at once, in process, or through the Meta
 * provider over HTTP to a local stub.
 */
final class LibraryContender implements Contender {
    /** Where the provider call goes. */
    enum Variant {
        IN_PROCESS("library"),
        META_HTTP("library+meta-http");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final Workload workload;
    private final Variant variant;
    private final int batch;
    private final int threads;
    private final EncryptionKeys keys = EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key());
    private JdbcOutbox enqueuer;

    LibraryContender(Workload workload, Variant variant, int batch, int threads) {
        this.workload = workload;
        this.variant = variant;
        this.batch = batch;
        this.threads = threads;
    }

    @Override
    public String name() {
        return variant.label;
    }

    @Override
    public String settings() {
        return "Dispatcher batchSize " + batch + ", concurrency " + threads + ", consent+quota+pacing (10000/s per"
                + " sender) on, Prometheus metrics, LISTEN/NOTIFY; provider "
                + (variant == Variant.IN_PROCESS ? "in process" : "MetaCloudProvider over HTTP to a loopback stub");
    }

    @Override
    public void install(DataSource ds, int messages) throws SQLException {
        JdbcOutbox installer = outbox(ds);
        installer.migrate();
        for (int org = 0; org < workload.orgs(); org++) {
            installer.providerConfigs().save(ProviderConfig.of(Workload.orgName(org), Workload.phoneNumberId(org),
                    Secret.of("bench-token-" + org), null), "bench");
        }
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO consentement (org_id, phone_number, channel, status, source, created_at, updated_at)
                    SELECT 'org-' || (i % ? + 1), '+336' || lpad(i::text, 8, '0'), 'WHATSAPP', 'GRANTED', 'bench',
                           now(), now()
                      FROM generate_series(0, ? - 1) i""")) {
                p.setInt(1, workload.orgs());
                p.setInt(2, messages);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO whatsapp_rate_limit (org_id, quota_limit, period_seconds, reset_at, created_at,
                                                     updated_at, updated_by)
                    SELECT 'org-' || i, 1000000000000, 86400, now() + interval '1 day', now(), now(), 'bench'
                      FROM generate_series(1, ?) i""")) {
                p.setInt(1, workload.orgs());
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("VACUUM ANALYZE consentement")) {
                p.execute();
            }
        }
    }

    @Override
    public void attach(DataSource ds) {
        enqueuer = outbox(ds);
    }

    /** An outbox over {@code ds} with this contender's keys, which read the tokens it installed. */
    JdbcOutbox outboxFor(DataSource ds) {
        return outbox(ds);
    }

    /** The same, with the pacing of each number shared by every dispatcher on {@code ds} or not. */
    JdbcOutbox outboxFor(DataSource ds, boolean sharedPacing) {
        return JdbcOutbox.builder().dataSource(ds).encryptionKeys(keys).sharedPacing(sharedPacing).build();
    }

    private JdbcOutbox outbox(DataSource ds) {
        return JdbcOutbox.builder().dataSource(ds).encryptionKeys(keys).build();
    }

    @Override
    public void enqueue(Connection c, long from, int count) throws SQLException {
        List<OutboundMessageRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            requests.add(OutboundMessageRequest.whatsapp(workload.org(seq), Workload.phone(seq))
                    .template("appointment_reminder", "fr", "x")
                    .idempotencyKey(Workload.key(seq))
                    .build());
        }
        c.setAutoCommit(false);
        enqueuer.enqueueAll(c, requests);
        c.commit();
    }

    @Override
    public Consumer start(DataSource ds, Probe probe) throws Exception {
        JdbcOutbox outbox = outbox(ds);
        MetaStub stub = variant == Variant.META_HTTP ? new MetaStub(threads) : null;
        MetaCloudProvider meta = stub == null ? null
                : MetaCloudProvider.builder().accounts(outbox.providerConfigs()).baseUrl(stub.baseUrl()).build();
        MessageProvider provider = meta == null ? new InProcess(probe) : new Probed(meta, probe);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Dispatcher dispatcher = outbox.dispatcher()
                .provider(Channel.WHATSAPP, provider)
                .batchSize(batch)
                .concurrency(threads)
                .messagesPerSecond(10_000)
                .meterRegistry(registry)
                .instanceId("bench")
                .build();
        dispatcher.start();
        return () -> {
            dispatcher.close();
            if (meta != null) {
                meta.close();
            }
            if (stub != null) {
                stub.close();
            }
            registry.close();
        };
    }

    @Override
    public long unfinished(Connection c) throws SQLException {
        return FloorContender.OutboxCounts.unfinished(c);
    }

    /** Answers at once with a unique id. */
    private record InProcess(Probe probe) implements MessageProvider {
        @Override
        public SendResult send(OutboundMessage message) {
            probe.called(Workload.seqOfKey(message.idempotencyKey()));
            return SendResult.accepted("wamid.bench." + message.id());
        }

        @Override
        public String name() {
            return "bench";
        }
    }

    /** Notes the call, then lets the Meta provider make it. */
    private record Probed(MetaCloudProvider meta, Probe probe) implements MessageProvider {
        @Override
        public SendResult send(OutboundMessage message) {
            probe.called(Workload.seqOfKey(message.idempotencyKey()));
            return meta.send(message);
        }

        @Override
        public String name() {
            return meta.name();
        }

        @Override
        public java.time.Duration callTimeout() {
            return meta.callTimeout();
        }

        @Override
        public ErrorCatalogue errorCatalogue() {
            return meta.errorCatalogue();
        }
    }
}
