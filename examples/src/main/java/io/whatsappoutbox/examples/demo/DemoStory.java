package io.whatsappoutbox.examples.demo;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.DeadLetterQuery;
import io.whatsappoutbox.jdbc.ops.DeadLetterReport;
import io.whatsappoutbox.jdbc.ops.ErrorCodeCount;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.jdbc.ops.SecretRotation;
import java.io.PrintStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.whatsappoutbox.core.Template;

/**
 * The whole story of the runbook, told against the running stack: orgs write messages inside their
 * own transactions (some roll back), the dispatcher paces and sends them, receipts come back out
 * of order, Meta has an outage, the dead letter is analysed and retried, critical messages fall
 * back to SMS, a webhook secret is rotated, and a summary closes the run.
 */
final class DemoStory {
    private static final Operator ONCALL = Operator.of("demo-oncall", "DEMO-1: replaying the runbook");

    /** What the run did, for the automated test of the story. */
    record Outcome(int committed, int rolledBack, long lostOrStuck, long fallbacks, long deadLetterRetried,
            double signatureFailures, Map<String, Long> statusCounts, List<String> crmRequestsSeen) {}

    private final DemoStack stack;
    private final PrintStream out;
    private final int messages;
    private final Random random = new Random(20261128);
    private int step;

    DemoStory(DemoStack stack, PrintStream out, int messages) {
        this.stack = stack;
        this.out = out;
        this.messages = messages;
    }

    Outcome run() throws SQLException {
        out.println();
        say("Each org's approved templates are synced from Meta: every template message is checked before it is written");
        for (String org : DemoStack.ORGS) {
            var report = stack.outbox.templates().sync(org, stack.metaProvider.templateSource());
            out.printf("    %s: %d templates%n", org, report.templates());
        }

        say("Customers opt in; some write to the business first (their 24-hour window opens)");
        consentsAndConversations();

        say("Three orgs write " + messages + " messages inside their own transactions; one in ten rolls back");
        int[] counts = enqueueInHostTransactions();
        out.printf("    committed %d messages in %d transactions, rolled back %d messages: no trace of them%n",
                counts[0], counts[1], counts[2]);

        say("Dispatching, paced at 80 messages/s per sending number; receipts come back out of order");
        awaitDrained(Duration.ofMinutes(3));
        stack.callbacks.drain(Duration.ofSeconds(30));
        printStatuses();

        say("A real-estate CRM's messages: the visit reminder with the flat's photo and two buttons, the agency's"
                + " location, an answer quoting the customer's question");
        List<String> crm = crmMessages();

        say("Meta outage (error 131016) while urgent notifications arrive");
        stack.metaSimulator.outage(true, 131016);
        List<OutboundMessageRequest> urgent = new ArrayList<>();
        for (int i = 0; i < Math.max(10, messages / 20); i++) {
            String to = phone(3000 + i, i % 50);
            stack.outbox.consents().grant("demo-org-2", PhoneNumber.of(to), Channel.WHATSAPP, "demo", "demo");
            urgent.add(OutboundMessageRequest.whatsapp("demo-org-2", to).template("urgent_notification", "fr", "coupure")
                    .maxAttempts(1).idempotencyKey("urgent-" + i).dossierId("D-U" + i).build());
        }
        stack.outbox.enqueueAll(urgent);
        pause(Duration.ofSeconds(6));
        stack.metaSimulator.outage(false, null);
        awaitDrained(Duration.ofMinutes(2));
        out.printf("    outage over after 6 s: the circuit breaker held most sends back without spending attempts;"
                + " %d urgent notification(s) (one attempt each) failed before it opened and wait in the dead letter%n",
                count("SELECT count(*) FROM outbound_message WHERE idempotency_key LIKE 'urgent-%' AND status = 'FAILED'"));

        say("Dead letter report (the runbook's analyze-dlq, as one call)");
        DeadLetterReport report = stack.operations.deadLetterReport(Scope.allOrgs(), DeadLetterQuery.defaults());
        out.printf("    %d messages, %d retryable, %d not%n", report.size(), report.retryable(), report.nonRetryable());
        for (ErrorCodeCount c : report.byCode()) {
            out.printf("    %-22s %-18s %5d  %s%n", c.errorCode(), c.category(), c.count(), c.sampleMessage());
        }
        report.recommendations().forEach(r -> out.println("    -> " + r));

        say("Bulk retry of the outage's dead letters: dry run, then the real run");
        DeadLetterFilter outageOnly = DeadLetterFilter.all().withErrorCodes("131016", "PROVIDER_UNAVAILABLE");
        BulkOptions options = BulkOptions.defaults().withLimit(1000).withBatchSize(50).withPause(Duration.ofMillis(100));
        BulkResult dry = stack.operations.retryDeadLetters(Scope.allOrgs(), outageOnly, options.withDryRun(true), ONCALL);
        out.printf("    dry run: %d message(s) would be retried, nothing changed%n", dry.messageIds().size());
        BulkResult real = stack.operations.retryDeadLetters(Scope.allOrgs(), outageOnly, options, ONCALL);
        out.printf("    retried %d message(s) in %d batch(es), operation %s (same ids as the dry run: %s)%n",
                real.changed(), real.batches(), real.operationId(), real.messageIds().equals(dry.messageIds()));
        awaitDrained(Duration.ofMinutes(2));

        say("Critical templates that WhatsApp could not deliver fell back to SMS");
        stack.callbacks.drain(Duration.ofSeconds(30));
        awaitDrained(Duration.ofMinutes(1));
        stack.callbacks.drain(Duration.ofSeconds(30));
        long fallbacks = count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL");
        out.printf("    %d SMS fallback(s), %d delivered; a parent falls back once however often its failure is reported%n",
                fallbacks, count("SELECT count(*) FROM outbound_message WHERE fallback_of IS NOT NULL AND status = 'DELIVERED'"));

        say("Meta's app secret reset: the new one installed for every org of the app (the old one stays valid 7 days)");
        double before = signatureFailures();
        // what Meta shows after a reset in its App Dashboard: the operator pastes it into a file for rotate-secret
        Secret reset = Secret.of(java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16)));
        SecretRotation rotation = stack.operations.rotateWebhookSecret(Scope.org("demo-org-1"), reset, null, ONCALL,
                false);
        out.printf("    installed for %s (one Meta app, one secret); previous valid until %s%n",
                String.join(", ", rotation.orgIds()), rotation.previousValidUntil());
        stack.metaSimulator.signWith(reset);
        stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(0), phone(1, 1), "Merci !");
        stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(1), phone(2, 2), "Bien recu");
        stack.metaSimulator.signWith(null); // a delivery Meta signed before the reset, delivered again
        stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(0), phone(3, 3), "Parfait");
        stack.metaSimulator.signWith(Secret.of("a-secret-nobody-configured"));
        stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(0), phone(4, 4), "forged");
        stack.callbacks.drain(Duration.ofSeconds(10));
        stack.metaSimulator.signWith(reset);
        out.printf("    new secret: accepted for both orgs; old, within the overlap: accepted; a forged signature:"
                + " refused (%.0f counted)%n", signatureFailures() - before);

        say("Summary");
        Map<String, Long> statuses = printStatuses();
        printMetrics();
        long stuck = count("SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')");
        out.printf("%n    %s%n", stuck == 0 ? "Every committed message is sent, delivered, read or in the dead letter"
                + " with its reason; nothing is lost or stuck." : stuck + " message(s) still in flight");
        return new Outcome(counts[0], counts[2], stuck, fallbacks, real.changed(), signatureFailures() - before, statuses,
                crm);
    }

    /** Sends the three and prints what Meta received, read back from the simulator. */
    private List<String> crmMessages() {
        String org = DemoStack.ORGS.get(0);
        String customer = phone(5000, 1);
        stack.outbox.consents().grant(org, PhoneNumber.of(customer), Channel.WHATSAPP, "web form", "demo");
        // new_listing_alert is a MARKETING template: the customer also ticked "offers" on the form
        stack.outbox.consents().grant(org, PhoneNumber.of(customer), Channel.WHATSAPP,
                io.whatsappoutbox.core.ConsentPurpose.MARKETING, "web form", "demo");
        String question = stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(0), customer,
                "Bonjour, la visite de lundi tient toujours ?");
        stack.callbacks.drain(Duration.ofSeconds(10));
        Template reminder = Template.named("new_listing_alert", "fr")
                .headerImage(URI.create("https://cdn.example.com/flats/42.jpg"))
                .body("lundi 10h", "12 rue du Port")
                .urlButton(0, "V-42")
                .quickReplyButton(1, "reschedule:42");
        List<MessageContent> contents = List.of(reminder,
                Location.of(43.2965, 5.3698, "Agence du Port", "12 rue du Port, 13002 Marseille"),
                MessageContent.text("Oui, lundi 10h tient toujours. A lundi !").inReplyTo(question));
        // one after the other, as a conversation goes: each is sent before the next is written
        for (int i = 0; i < contents.size(); i++) {
            stack.outbox.enqueue(OutboundMessageRequest.whatsapp(org, customer).content(contents.get(i))
                    .idempotencyKey("crm-visit-42-" + i).dossierId("D-42").createdBy("crm").build());
            awaitDrained(Duration.ofMinutes(1));
        }
        List<String> seen = new ArrayList<>();
        for (JsonNode body : stack.metaSimulator.requests(customer)) {
            String line = describe(body);
            seen.add(line);
            out.println("    Meta received: " + line);
        }
        return seen;
    }

    /** What a request carries, as an operator reads it: type, template parts, quoted message. */
    static String describe(JsonNode body) {
        String type = body.path("type").asText();
        StringBuilder s = new StringBuilder(type);
        if (type.equals("template")) {
            s.append(' ').append(body.path("template").path("name").asText()).append(':');
            for (JsonNode c : body.path("template").path("components")) {
                s.append(' ').append(c.path("type").asText());
                if (c.has("sub_type")) {
                    s.append(' ').append(c.path("sub_type").asText()).append(' ').append(c.path("index").asText());
                } else {
                    s.append(' ').append(c.path("parameters").path(0).path("type").asText());
                    if (c.path("parameters").size() > 1) {
                        s.append(" x").append(c.path("parameters").size());
                    }
                }
                s.append(',');
            }
            s.setLength(s.length() - 1);
        } else if (type.equals("location")) {
            s.append(' ').append(body.path("location").path("name").asText());
        }
        if (body.has("context")) {
            s.append(", in reply to ").append(body.path("context").path("message_id").asText());
        }
        return s.toString();
    }

    /** Messages come in blocks of five per org, so that every org sees every kind of incident. */
    static String orgOf(int i) {
        return DemoStack.ORGS.get((i / 5) % 3);
    }

    /** A number whose last two digits pick the simulator's behaviour. */
    static String phone(int customer, int lastTwo) {
        return String.format("+336%06d%02d", customer, lastTwo);
    }

    private void consentsAndConversations() {
        int granted = 0;
        int conversations = 0;
        for (int i = 0; i < messages; i++) {
            String org = orgOf(i);
            PhoneNumber p = PhoneNumber.of(phone(i, i % 100));
            if (i % 37 != 5) {
                stack.outbox.consents().grant(org, p, Channel.WHATSAPP, "web form", "demo");
                granted++;
            }
            stack.outbox.consents().grant(org, p, Channel.SMS, "web form", "demo");
            if (i % 10 == 3) {
                stack.metaSimulator.inbound(DemoStack.PHONE_NUMBER_IDS.get(DemoStack.ORGS.indexOf(org)), p.value(),
                        "Bonjour, une question");
                conversations++;
            }
        }
        stack.callbacks.drain(Duration.ofSeconds(30));
        out.printf("    %d WhatsApp consents, %d conversations opened (free-form messages allowed for 24 h)%n",
                granted, conversations);
    }

    /** The host's own transactions: a dossier row and its messages commit or roll back together. */
    private int[] enqueueInHostTransactions() throws SQLException {
        try (Connection c = stack.dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS dossier (id text PRIMARY KEY, org_id text NOT NULL, lead_name text)");
        }
        int committed = 0;
        int transactions = 0;
        int rolledBack = 0;
        int i = 0;
        while (i < messages) {
            // a transaction is one org's dossier: it never crosses into the next org's block of five
            int n = Math.min(Math.min(1 + random.nextInt(3), 5 - i % 5), messages - i);
            String org = orgOf(i);
            String dossier = "D-" + org.substring(9) + "-" + i;
            List<OutboundMessageRequest> batch = new ArrayList<>();
            for (int k = 0; k < n; k++, i++) {
                batch.add(request(org, i, dossier));
            }
            boolean rollback = random.nextInt(10) == 0;
            try (Connection c = stack.dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement p = c.prepareStatement("INSERT INTO dossier VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    p.setString(1, dossier);
                    p.setString(2, org);
                    p.setString(3, "Lead " + dossier);
                    p.executeUpdate();
                }
                stack.outbox.enqueueAll(c, batch);
                if (rollback) {
                    c.rollback();
                    rolledBack += n;
                } else {
                    c.commit();
                    committed += n;
                    transactions++;
                }
            }
        }
        long inTable = count("SELECT count(*) FROM outbound_message WHERE idempotency_key LIKE 'demo-%' AND fallback_of IS NULL");
        if (inTable != committed) {
            throw new IllegalStateException("expected " + committed + " committed messages, found " + inTable);
        }
        return new int[] {committed, transactions, rolledBack};
    }

    /** Mostly appointment reminders (critical), some newsletters, free-form replies to those who wrote. */
    private OutboundMessageRequest request(String org, int i, String dossier) {
        OutboundMessageRequest.Builder b = OutboundMessageRequest.whatsapp(org, phone(i, i % 100))
                .idempotencyKey("demo-" + i).dossierId(dossier).createdBy("crm");
        int kind = i % 10;
        if (kind == 3 || kind == 7) {
            b.text("Bonjour, votre conseiller vous rappelle demain a 10h.");
        } else if (kind == 9) {
            b.template("newsletter", "fr", "novembre");
        } else {
            b.template("appointment_reminder", "fr", "lundi 10h");
        }
        return b.build();
    }

    /** Waits until nothing is QUEUED or SENDING, printing progress every two seconds when it moves. */
    private void awaitDrained(Duration timeout) {
        long total = count("SELECT count(*) FROM outbound_message");
        long[] last = {-1, System.nanoTime()};
        awaitTrue(timeout, () -> {
            long pending = count("SELECT count(*) FROM outbound_message WHERE status IN ('QUEUED', 'SENDING')");
            if (pending != last[0] && (System.nanoTime() - last[1] > 2_000_000_000L || pending == 0)) {
                out.printf("    %d of %d messages settled%n", total - pending, total);
                last[0] = pending;
                last[1] = System.nanoTime();
            }
            return pending == 0;
        });
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the demo waited " + timeout + " without reaching the expected state");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    private Map<String, Long> printStatuses() {
        Map<String, Long> all = new LinkedHashMap<>();
        out.printf("    %-9s %-10s %6s%n", "channel", "status", "count");
        try (Connection c = stack.dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT channel, status, count(*) FROM outbound_message"
                        + " GROUP BY channel, status ORDER BY channel DESC, status")) {
            while (rs.next()) {
                out.printf("    %-9s %-10s %6d%n", rs.getString(1), rs.getString(2), rs.getLong(3));
                all.merge(rs.getString(2), rs.getLong(3), Long::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return all;
    }

    private void printMetrics() {
        stack.dispatcher.runMaintenance();
        var r = stack.registry;
        out.println("    metrics:");
        for (Channel ch : Channel.values()) {
            Counter sent = r.find("outbound.message.sent").tag("channel", ch.name()).counter();
            Counter total = r.find("outbound.message").tag("channel", ch.name()).counter();
            Timer delivery = r.find("outbound.message.delivery.duration").tag("channel", ch.name()).timer();
            out.printf("      %-8s attempts %5.0f, accepted %5.0f, p95 enqueue-to-delivered %s%n", ch,
                    total == null ? 0 : total.count(), sent == null ? 0 : sent.count(),
                    delivery == null || delivery.count() == 0 ? "-" : String.format("%.2f s", p95Seconds(delivery)));
        }
        double failures = r.find("outbound.message.failures").counters().stream().mapToDouble(Counter::count).sum();
        double rateLimits = r.find("whatsapp.rate.limit.hits").counters().stream().mapToDouble(Counter::count).sum();
        out.printf("      failures %.0f, rate limit hits %.0f, dead letter %d, webhook signature failures %.0f%n",
                failures, rateLimits, count("SELECT count(*) FROM outbound_message WHERE status = 'FAILED'"),
                signatureFailures());
    }

    /** The 95th percentile from the timer's histogram buckets (the upper bound of the bucket reaching 95 %). */
    static double p95Seconds(Timer timer) {
        var snapshot = timer.takeSnapshot();
        double target = 0.95 * snapshot.count();
        for (var bucket : snapshot.histogramCounts()) {
            if (bucket.count() >= target) {
                return bucket.bucket(TimeUnit.SECONDS);
            }
        }
        return snapshot.max(TimeUnit.SECONDS);
    }

    private double signatureFailures() {
        return stack.registry.find("whatsapp.webhook.signature.failures").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private long count(String sql) {
        try (Connection c = stack.dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void say(String what) {
        step++;
        out.printf("%n[%d] %s%n", step, what);
    }
}
