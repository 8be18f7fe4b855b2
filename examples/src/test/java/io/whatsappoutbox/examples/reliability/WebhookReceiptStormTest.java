package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten thousand sent messages and their Meta status webhooks (sent, delivered, read), signed, in
 * Meta's payload shape, shuffled, a third duplicated and some calls replayed whole, posted from
 * four threads through the Meta handler to PostgreSQL: each message ends at the furthest status it
 * was told, and no status is ever seen moving back while the storm runs.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WebhookReceiptStormTest {
    static final int MESSAGES = 10_000;
    static final String ORG = "org-receipts";
    static final String PHONE_NUMBER_ID = "100000000000033";
    static final Secret APP_SECRET = Secret.of("app-secret-receipt-storm");
    static final List<String> ORDER = List.of("SENT", "DELIVERED", "READ");

    @Test
    void shuffledAndDuplicatedReceiptsLeaveEachMessageAtItsFurthestStatusWithoutRegression() throws Exception {
        try (HikariDataSource ds = TestDatabase.newMigratedDatabase();
                JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds)
                        .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build()) {
            Sql sql = new Sql(ds);
            outbox.providerConfigs().save(ProviderConfig.of(ORG, PHONE_NUMBER_ID, Secret.of("EAAReceiptToken77"),
                    APP_SECRET), "reliability-test");
            for (int from = 0; from < MESSAGES; from += 2000) {
                outbox.enqueueAll(IntStream.range(from, from + 2000).mapToObj(i -> OutboundMessageRequest
                        .whatsapp(ORG, Requests.phone(i)).template("appointment_reminder", "fr", "rdv")
                        .idempotencyKey("storm-" + i).build()).toList());
            }
            // as a dispatcher would have left them: accepted by Meta with their wamid
            sql.update("UPDATE outbound_message SET status = 'SENT', provider = 'meta', attempt_count = 1,"
                    + " provider_message_id = 'wamid.storm.' || substr(to_recipient, 5), sent_at = now(), updated_at = now()");
            // never started: only its webhook processor is used
            Dispatcher dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build();
            MetaWebhookHandler handler = MetaWebhookHandler.builder().secrets(outbox.providerConfigs().webhookSecrets())
                    .accounts(outbox.providerConfigs()).sink(dispatcher.webhooks()).build();

            Random random = new Random(42);
            Map<String, String> furthest = new HashMap<>();
            List<String> receipts = new ArrayList<>();
            long t0 = Instant.now().getEpochSecond() - 600;
            for (int i = 0; i < MESSAGES; i++) {
                String digits = Requests.phone(i).substring(1);
                String wamid = "wamid.storm." + Requests.phone(i).substring(4);
                int reach = random.nextInt(10) < 2 ? 0 : random.nextInt(10) < 5 ? 1 : 2;
                furthest.put(wamid, ORDER.get(reach));
                for (int s = 0; s <= reach; s++) {
                    receipts.add(MetaPayloads.status(wamid, ORDER.get(s).toLowerCase(), t0 + 3L * s, digits));
                }
            }
            int unique = receipts.size();
            int duplicated = unique / 3;
            for (int d = 0; d < duplicated; d++) {
                receipts.add(receipts.get(random.nextInt(unique)));
            }
            Collections.shuffle(receipts, random);
            List<String> calls = new ArrayList<>();
            for (int at = 0; at < receipts.size(); ) {
                int n = 1 + random.nextInt(40);
                calls.add(body(receipts.subList(at, Math.min(receipts.size(), at + n))));
                at += n;
            }
            int replayed = calls.size() / 20;
            for (int r = 0; r < replayed; r++) {
                calls.add(random.nextInt(calls.size()), calls.get(random.nextInt(calls.size())));
            }

            Monitor monitor = new Monitor(sql);
            Thread watcher = new Thread(monitor, "regression-watch");
            watcher.start();
            AtomicLong non200 = new AtomicLong();
            ExecutorService meta = Executors.newFixedThreadPool(4);
            List<Future<?>> posted = new ArrayList<>();
            for (String call : calls) {
                posted.add(meta.submit(() -> {
                    WebhookResponse r = handler.handle(MetaPayloads.signed(APP_SECRET, call));
                    if (r.status() != 200) {
                        non200.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : posted) {
                f.get(2, TimeUnit.MINUTES);
            }
            meta.shutdown();
            monitor.stop.set(true);
            watcher.join(30_000);

            Map<String, String> actual = new HashMap<>();
            sql.rows("SELECT provider_message_id, status, delivered_at, read_at FROM outbound_message").forEach(r -> {
                actual.put((String) r.get("provider_message_id"), (String) r.get("status"));
                assertThat(r.get("delivered_at") != null).as("delivered_at of %s", r.get("provider_message_id"))
                        .isEqualTo(!r.get("status").equals("SENT"));
                assertThat(r.get("read_at") != null).isEqualTo(r.get("status").equals("READ"));
            });
            long wrong = furthest.entrySet().stream().filter(e -> !e.getValue().equals(actual.get(e.getKey()))).count();
            assertThat(non200.get()).as("calls not answered 200").isZero();
            assertThat(monitor.samples.get()).as("samples taken during the storm").isGreaterThan(1);
            assertThat(monitor.regressions.get()).as("statuses seen moving back").isZero();
            assertThat(wrong).as("messages not at their furthest status").isZero();
            Figures.of("webhook-receipts").put("messages", MESSAGES).put("receiptsUnique", unique)
                    .put("receiptsDuplicated", duplicated).put("webhookCalls", calls.size())
                    .put("webhookCallsReplayedWhole", replayed).put("postingThreads", 4)
                    .put("callsNot200", non200.get()).put("finalStatusesWrong", wrong)
                    .put("statusSnapshotsDuringStorm", monitor.samples.get())
                    .put("statusRegressionsSeen", monitor.regressions.get())
                    .put("finalStatuses", sql.statusCounts())
                    .put("webhookEventsStored", sql.count("SELECT count(*) FROM webhook_event")).write();
        }
    }

    /** A webhook call: the statuses spread over one entry with up to two changes, as Meta batches them. */
    static String body(List<String> statuses) {
        int half = statuses.size() / 2;
        if (half == 0) {
            return MetaPayloads.envelope(MetaPayloads.entry(MetaPayloads.change(PHONE_NUMBER_ID,
                    MetaPayloads.statuses(statuses))));
        }
        return MetaPayloads.envelope(MetaPayloads.entry(
                MetaPayloads.change(PHONE_NUMBER_ID, MetaPayloads.statuses(statuses.subList(0, half))),
                MetaPayloads.change(PHONE_NUMBER_ID, MetaPayloads.statuses(statuses.subList(half, statuses.size())))));
    }

    /** Reads every status again and again while the storm runs, counting any that moved back. */
    static final class Monitor implements Runnable {
        final Sql sql;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong samples = new AtomicLong();
        final AtomicLong regressions = new AtomicLong();
        final Map<Long, Integer> last = new HashMap<>();

        Monitor(Sql sql) {
            this.sql = sql;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                for (Map<String, Object> r : sql.rows("SELECT id, status FROM outbound_message")) {
                    int rank = ORDER.indexOf((String) r.get("status"));
                    Integer before = last.put(((Number) r.get("id")).longValue(), rank);
                    if (rank < 0 || (before != null && rank < before)) {
                        regressions.incrementAndGet();
                    }
                }
                samples.incrementAndGet();
                try {
                    Thread.sleep(50); // leave the database to the storm
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
