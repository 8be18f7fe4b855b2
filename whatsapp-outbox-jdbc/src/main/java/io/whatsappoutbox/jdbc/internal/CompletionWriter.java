package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.ResultsRefusedException;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the dispatcher's results, all or nothing: each conditional on its lease, with its attempt
 * row, and the receipts that beat their send's result applied in the same transaction as the
 * result that makes their message SENT. The common batch (every result SENT, no receipt waiting)
 * is one statement in autocommit: one round trip, one commit. Internal.
 */
final class CompletionWriter {
    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
    private static final CompletionReport NOTHING = new CompletionReport(0, List.of(), List.of(), 0, List.of());

    private final Jdbi jdbi;
    private final PlainStatement completeSent;
    private final EnqueueWriter enqueue;
    private final ReceiptWrites receipts;

    CompletionWriter(Jdbi jdbi, MessageRows rows, EnqueueWriter enqueue) {
        this.jdbi = jdbi;
        this.completeSent = new PlainStatement(jdbi, DispatchSql.COMPLETE_SENT);
        this.enqueue = enqueue;
        this.receipts = new ReceiptWrites(rows, enqueue);
    }

    CompletionReport complete(List<AttemptResult> results, WebhookDecisions decisions, Instant now) {
        if (results.isEmpty()) {
            return NOTHING;
        }
        try {
            if (results.stream().allMatch(r -> r.outcome() == Outcome.SENT)) {
                Sent sent = StoreWork.withHandle(jdbi, "completion", h -> writeSent(h, results, true, now));
                if (!sent.deferred()) {
                    return new CompletionReport(sent.written().size(), refused(results, sent.written()), List.of(), 0,
                            List.of());
                }
                // a receipt waits for one of these messages: it commits with the result, below
            }
            return StoreWork.inTransaction(jdbi, "completion", h -> write(h, results, decisions, now));
        } catch (RuntimeException e) {
            if (refusesTheData(e)) {
                throw new ResultsRefusedException("the database refused the results: " + SafeText.describe(e), e);
            }
            throw e;
        }
    }

    /**
     * Whether PostgreSQL refused what the statement holds, so that the same rows fail again
     * whenever they are written: a data exception (class 22: a character it cannot store, a value
     * out of range), an integrity violation (23), a program limit (54: a value too large to index)
     * or an exception a trigger raised (P0001). Connection, lock and shutdown failures are not.
     */
    static boolean refusesTheData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("22") || state.startsWith("23") || state.startsWith("54") || state.equals("P0001");
            }
        }
        return false;
    }

    /**
     * @param written the messages made SENT
     * @param waiting the receipts taken out of {@code pending_receipt} for them
     * @param deferred nothing written: receipts wait for some of the messages
     */
    private record Sent(Set<Long> written, List<DeliveryReceipt> waiting, boolean deferred) {}

    /** The one SENT statement; with {@code deferIfWaiting}, it writes nothing when a receipt waits. */
    private Sent writeSent(Handle h, List<AttemptResult> sent, boolean deferIfWaiting, Instant now) throws SQLException {
        int n = sent.size();
        Long[] ids = new Long[n];
        String[] owners = new String[n];
        String[] providers = new String[n];
        String[] pids = new String[n];
        String[] channels = new String[n];
        String[] orgs = new String[n];
        Integer[] attemptNumbers = new Integer[n];
        Integer[] httpStatuses = new Integer[n];
        String[] startedAt = new String[n];
        Integer[] durations = new Integer[n];
        for (int i = 0; i < n; i++) {
            AttemptResult r = sent.get(i);
            ids[i] = r.messageId();
            owners[i] = r.leaseOwner();
            providers[i] = r.provider();
            pids[i] = r.providerMessageId();
            channels[i] = r.message().channel().name();
            orgs[i] = r.message().orgId();
            attemptNumbers[i] = r.message().attemptCount();
            httpStatuses[i] = r.httpStatus() == 0 ? null : r.httpStatus();
            startedAt[i] = Times.iso(r.startedAt());
            durations[i] = AttemptRows.durationMillis(r);
        }
        Set<Long> written = new HashSet<>();
        List<DeliveryReceipt> waiting = new ArrayList<>();
        boolean deferred = false;
        try (PlainStatement.Bound q = completeSent.prepare(h.getConnection())
                .array("ids", "bigint", ids)
                .array("owners", "text", owners)
                .array("providers", "text", providers)
                .array("pids", "text", pids)
                .array("channels", "text", channels)
                .array("orgs", "text", orgs)
                .array("attemptNumbers", "integer", attemptNumbers)
                .array("httpStatuses", "integer", httpStatuses)
                .array("startedAt", "text", startedAt)
                .array("durations", "integer", durations)
                .set("outcome", Outcome.SENT.name())
                .set("target", Transition.ACCEPT.target().name())
                .array("sources", "text", Transition.ACCEPT.sourceNames())
                .set("deferIfWaiting", (Object) deferIfWaiting)
                .set("now", now);
                ResultSet rs = q.statement().executeQuery()) {
            int kind = rs.findColumn("kind");
            int id = rs.findColumn("id");
            while (rs.next()) {
                switch (rs.getString(kind)) {
                    case "S" -> written.add(rs.getLong(id));
                    case "P" -> waiting.add(PendingReceipts.fromRow(rs));
                    default -> deferred = true;
                }
            }
        }
        return new Sent(written, waiting, deferred);
    }

    private CompletionReport write(Handle h, List<AttemptResult> results, WebhookDecisions decisions, Instant now)
            throws SQLException {
        List<AttemptResult> sent = new ArrayList<>();
        List<AttemptResult> rescheduled = new ArrayList<>();
        List<AttemptResult> dead = new ArrayList<>();
        for (AttemptResult r : results) {
            switch (r.outcome()) {
                case SENT -> sent.add(r);
                case RETRY, DEFERRED -> rescheduled.add(r);
                case DEAD_LETTER, BLOCKED -> dead.add(r);
            }
        }
        Set<Long> written = new HashSet<>();
        List<DeliveryReceipt> waiting = List.of();
        if (!sent.isEmpty()) {
            Sent s = writeSent(h, sent, false, now);
            written.addAll(s.written());
            waiting = s.waiting();
        }
        if (!rescheduled.isEmpty()) {
            h.createQuery(DispatchSql.COMPLETE_RESCHEDULE)
                    .bindArray("ids", Long.class, rescheduled.stream().map(AttemptResult::messageId).toList())
                    .bindArray("owners", String.class, rescheduled.stream().map(AttemptResult::leaseOwner).toList())
                    .bindArray("nextAt", String.class, rescheduled.stream().map(r -> Times.iso(r.nextAttemptAt())).toList())
                    .bindArray("spent", Boolean.class, rescheduled.stream().map(AttemptResult::spendsAttempt).toList())
                    .bindArray("codes", String.class, rescheduled.stream().map(r -> r.error().code()).toList())
                    .bindArray("messages", String.class, rescheduled.stream().map(r -> r.error().message()).toList())
                    .bindArray("categories", String.class, rescheduled.stream().map(r -> r.error().category().name()).toList())
                    .bind("target", Transition.RESCHEDULE.target().name())
                    .bindArray("sources", String.class, (Object[]) Transition.RESCHEDULE.sourceNames())
                    .bind("now", now)
                    .mapTo(Long.class)
                    .forEach(written::add);
        }
        List<Long> fallbacks = new ArrayList<>();
        if (!dead.isEmpty()) {
            Set<Long> failed = new HashSet<>(h.createQuery(DispatchSql.COMPLETE_DEAD_LETTER)
                    .bindArray("ids", Long.class, dead.stream().map(AttemptResult::messageId).toList())
                    .bindArray("owners", String.class, dead.stream().map(AttemptResult::leaseOwner).toList())
                    .bindArray("codes", String.class, dead.stream().map(r -> r.error().code()).toList())
                    .bindArray("messages", String.class, dead.stream().map(r -> r.error().message()).toList())
                    .bindArray("categories", String.class, dead.stream().map(r -> r.error().category().name()).toList())
                    .bind("target", Transition.DEAD_LETTER.target().name())
                    .bindArray("sources", String.class, (Object[]) Transition.DEAD_LETTER.sourceNames())
                    .bind("now", now)
                    .mapTo(Long.class)
                    .list());
            written.addAll(failed);
            fallbacks.addAll(createFallbacks(h, dead.stream()
                    .filter(r -> r.fallback() != null && failed.contains(r.messageId()))
                    .map(AttemptResult::fallback).toList()));
        }
        // the SENT statement wrote the accepted ones' rows
        AttemptRows.insert(h, results.stream().filter(r -> r.outcome() != Outcome.SENT && r.recordAttempt())
                .map(AttemptRows::of).toList());
        List<AttemptResult> revoke = results.stream()
                .filter(r -> r.revokeConsent() && written.contains(r.messageId())).toList();
        JdbcConsents.revokeAll(h, revoke.stream()
                        .flatMap(r -> JdbcConsents.Key.revoked(r.message(), r.revokedPurpose()).stream()).toList(),
                "provider opt-out: " + revoke.stream().map(r -> r.error().code()).distinct().toList(), now);
        Map<String, Instant> throttles = new LinkedHashMap<>();
        for (AttemptResult r : results) {
            if (r.throttleOrgUntil() != null && r.message().channel() == Channel.WHATSAPP) {
                throttles.merge(r.message().orgId(), r.throttleOrgUntil(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        throttleWhatsApp(h, throttles, now);
        ReceiptWrites.Waiting applied = receipts.applyWaiting(h, waiting, decisions, now);
        fallbacks.addAll(applied.fallbacksCreated());
        return new CompletionReport(written.size(), refused(results, written), fallbacks, applied.applied(),
                applied.deliveries());
    }

    private static List<Long> refused(List<AttemptResult> results, Set<Long> written) {
        List<Long> refused = results.stream().map(AttemptResult::messageId).filter(id -> !written.contains(id)).toList();
        if (!refused.isEmpty()) {
            log.warn("Lease lost before the result was written for {} message(s) {}: another dispatcher recovered them;"
                    + " their attempt rows are kept", refused.size(), refused);
        }
        return refused;
    }

    List<Long> createFallbacks(Handle h, List<OutboundMessageRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        return enqueue.enqueueUnchecked(h.getConnection(), requests).stream()
                .filter(e -> e.created()).map(e -> e.message().id()).toList();
    }

    static void throttleWhatsApp(Handle h, Map<String, Instant> until, Instant now) {
        if (until.isEmpty()) {
            return;
        }
        h.createUpdate(DispatchSql.THROTTLE_WHATSAPP)
                .bindArray("orgs", String.class, new ArrayList<>(until.keySet()))
                .bindArray("until", String.class, until.values().stream().map(Times::iso).toList())
                .bind("now", now)
                .execute();
    }
}
