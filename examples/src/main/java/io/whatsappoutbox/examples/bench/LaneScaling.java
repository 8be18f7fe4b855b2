package io.whatsappoutbox.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The claim's cost as the active lanes grow: for each lane count, that many orgs with a few
 * messages each are drained through the store alone (claim, then every message completed SENT, as
 * the dispatcher's writer does), one claim at a time, so that the figures are the claim's and the
 * completion's, not the provider's or the threads'. Prints per lane count the claim statement's
 * server time per claimed message (pg_stat_statements), its Java-side time per claim, the drain's
 * msg/s, and each against the smallest lane count: the target is within 1.5x.
 *
 * <pre>OutboxBenchmark --lanes 10,100,1000,10000 [--per-org 3] [--min-messages 30000] [--batch 200] [--durable]</pre>
 *
 * A lane count whose orgs times {@code --per-org} is under {@code --min-messages} gets more messages per
 * org, so that every run claims enough to be measured.
 */
final class LaneScaling {
    static final String USAGE = """
            Usage: OutboxBenchmark --lanes 10,100,1000,10000 [options]
            The claim's cost per claimed message as the number of active lanes (orgs) grows.
              --per-org 3             messages per org (at least; see --min-messages)
              --min-messages 30000    messages per lane count at least (more per org when the orgs are few)
              --batch 200             claim batch size
              --durable               fsync and synchronous commit on (default: off, the claim is CPU-bound)
            """;
    private static final WebhookDecisions DECISIONS = DeliveryDecisions.defaults();

    record Row(int lanes, int messages, int claims, double claimUsPerMessage, double claimMsPerCall,
            double serverClaimUsPerMessage, double buffersPerClaim, double msgPerSecond) {}

    private LaneScaling() {}

    static void main(String[] args, PrintStream out) throws Exception {
        List<Integer> lanes = new ArrayList<>();
        int perOrg = 3;
        int minMessages = 30_000;
        int batch = 200;
        boolean durable = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--lanes" -> {
                    for (String s : args[++i].split(",")) {
                        lanes.add(Integer.parseInt(s.trim()));
                    }
                }
                case "--per-org" -> perOrg = Integer.parseInt(args[++i]);
                case "--min-messages" -> minMessages = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--durable" -> durable = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (lanes.isEmpty() || lanes.stream().anyMatch(n -> n < 1) || perOrg < 1 || batch < 1) {
            throw new IllegalArgumentException("--lanes needs counts of at least 1\n" + USAGE);
        }
        lanes.sort(null);
        List<Row> rows = new ArrayList<>();
        try (BenchServer server = BenchServer.start(durable ? BenchServer.Mode.DURABLE : BenchServer.Mode.FSYNC_OFF,
                false)) {
            out.printf("Lane scaling on PostgreSQL %s (%s), batch %d, one claim at a time%n", server.version(),
                    durable ? "durable" : "fsync off", batch);
            // an untimed run first: the JIT and the server's caches warm on the smallest count
            run(server, lanes.get(0), perOrg, minMessages, batch);
            for (int n : lanes) {
                Row r = run(server, n, perOrg, minMessages, batch);
                rows.add(r);
            }
        }
        Row base = rows.get(0);
        out.println();
        out.println("| lanes | messages | claims | claim us/msg (server) | vs first | claim ms/call (java) | buffers/claim"
                + " | msg/s | time/msg vs first |");
        out.println("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        for (Row r : rows) {
            out.printf("| %,d | %,d | %,d | %.1f | %.2fx | %.2f | %,.0f | %,.0f | %.2fx |%n", r.lanes(), r.messages(),
                    r.claims(), r.serverClaimUsPerMessage(), r.serverClaimUsPerMessage() / base.serverClaimUsPerMessage(),
                    r.claimMsPerCall(), r.buffersPerClaim(), r.msgPerSecond(), base.msgPerSecond() / r.msgPerSecond());
        }
        Row worst = rows.stream().max((a, b) -> Double.compare(a.serverClaimUsPerMessage(), b.serverClaimUsPerMessage()))
                .orElseThrow();
        double ratio = worst.serverClaimUsPerMessage() / base.serverClaimUsPerMessage();
        out.printf("LANES %s: claim cost per message at %,d lanes is %.2fx the cost at %,d (target 1.5x)%n",
                ratio <= 1.5 ? "FLAT" : "GROWS", worst.lanes(), ratio, base.lanes());
    }

    private static Row run(BenchServer server, int lanes, int perOrgAtLeast, int minMessages, int batch)
            throws Exception {
        int perOrg = Math.max(perOrgAtLeast, (minMessages + lanes - 1) / lanes);
        String db = server.createDatabase("lanes_" + lanes);
        try (HikariDataSource ds = server.pool(db, 4, "lanes-" + lanes);
                JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).build()) {
            outbox.migrate();
            int messages = lanes * perOrg;
            List<OutboundMessageRequest> chunk = new ArrayList<>(1000);
            for (int seq = 0; seq < messages; seq++) {
                // interleaved: every lane holds messages from the first chunk on
                int org = seq % lanes;
                chunk.add(OutboundMessageRequest.whatsapp(Workload.orgName(org), Workload.phone(seq))
                        .template("appointment_reminder", "fr", "lundi " + seq).idempotencyKey(Workload.key(seq)).build());
                if (chunk.size() == 1000 || seq == messages - 1) {
                    outbox.enqueueAll(chunk);
                    chunk.clear();
                }
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE outbound_message");
            }
            server.resetStatements();
            DispatchStore store = outbox.dispatchStore();
            long claimNanos = 0;
            int claims = 0;
            int claimed = 0;
            long started = System.nanoTime();
            while (true) {
                long t = System.nanoTime();
                List<ClaimedMessage> got = store.claim("lanes:1", batch, Duration.ofMinutes(5), Instant.now());
                claimNanos += System.nanoTime() - t;
                if (got.isEmpty()) {
                    break;
                }
                claims++;
                claimed += got.size();
                Instant now = Instant.now();
                List<AttemptResult> sent = new ArrayList<>(got.size());
                for (ClaimedMessage m : got) {
                    sent.add(AttemptResult.sent(m, "bench", now, Duration.ZERO, "wamid." + m.message().id(), 200));
                }
                store.complete(sent, DECISIONS, now);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double serverMs = 0;
            double buffers = 0;
            long calls = 0;
            for (DbStats.Top t : server.stats(db).top()) {
                if (t.query().startsWith("WITH RECURSIVE") && t.query().contains("lanes_below")) {
                    calls += t.calls();
                    serverMs += t.totalMillis();
                    buffers += t.buffersHit() + t.buffersRead();
                }
            }
            return new Row(lanes, claimed, claims, claimNanos / 1e3 / Math.max(1, claimed),
                    claimNanos / 1e6 / Math.max(1, claims), serverMs * 1000 / Math.max(1, claimed),
                    buffers / Math.max(1, calls), claimed / seconds);
        }
    }
}
