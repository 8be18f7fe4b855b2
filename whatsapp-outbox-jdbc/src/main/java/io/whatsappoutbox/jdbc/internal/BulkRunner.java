package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.ops.BulkOptions;
import io.whatsappoutbox.jdbc.ops.BulkResult;
import io.whatsappoutbox.jdbc.ops.Pacer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a bulk change the same way for every kind: select once, then change the selection in
 * batches, one transaction each, with a pause between them. A dry run stops after the selection,
 * so it lists exactly what the real run would take. Internal.
 */
final class BulkRunner {
    private static final Logger log = LoggerFactory.getLogger(BulkRunner.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final Pacer pacer;

    BulkRunner(Jdbi jdbi, Clock clock, AuditLog audit, Pacer pacer) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.pacer = pacer;
    }

    /** A selected message, with what a dry run needs to predict its new status. */
    record Candidate(long id, int attemptCount, int maxAttempts) {}

    /** A changed row: its id and new status. */
    record Changed(long id, MessageStatus status) {}

    interface Selection {
        List<Candidate> select(Handle h, Instant now, int limit);
    }

    interface Change {
        List<Changed> apply(Handle h, List<Long> ids, Instant now, UUID operationId);
    }

    interface Prediction {
        MessageStatus after(Candidate c);
    }

    BulkResult run(AuditLog.Entry entry, BulkOptions options, Selection selection, Change change,
            Prediction prediction) {
        Instant selectedAt = clock.instant();
        List<Candidate> candidates = jdbi.withHandle(h -> selection.select(h, selectedAt, options.limit()));
        List<Long> ids = candidates.stream().map(Candidate::id).toList();
        if (entry.dryRun()) {
            Map<MessageStatus, Integer> predicted = new EnumMap<>(MessageStatus.class);
            candidates.forEach(c -> predicted.merge(prediction.after(c), 1, Integer::sum));
            audit.insert(entry, ids.size(), details(ids, 0, 0, 0, predicted, "dry run"));
            options.progress().progress(ids.size(), ids.size());
            return new BulkResult(entry.operationId(), entry.kind(), true, ids, 0, 0, 0, predicted);
        }
        // written before the first batch: an interrupted run still shows what it selected and how far it got
        audit.insert(entry, 0, details(ids, 0, 0, 0, Map.of(), "running"));
        Map<MessageStatus, Integer> statuses = new EnumMap<>(MessageStatus.class);
        int changed = 0;
        int batches = 0;
        String state = "done";
        try {
            for (int from = 0; from < ids.size(); from += options.batchSize()) {
                if (batches > 0 && !options.pause().isZero()) {
                    pacer.pause(options.pause());
                }
                List<Long> batch = ids.subList(from, Math.min(ids.size(), from + options.batchSize()));
                int before = changed;
                int done = from + batch.size();
                List<Changed> rows = jdbi.inTransaction(h -> {
                    List<Changed> r = change.apply(h, batch, clock.instant(), entry.operationId());
                    audit.update(h, entry, before + r.size(), details(ids, before + r.size(), done - before - r.size(),
                            0, Map.of(), "running"));
                    return r;
                });
                rows.forEach(r -> statuses.merge(r.status(), 1, Integer::sum));
                changed += rows.size();
                batches++;
                options.progress().progress(done, ids.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state = "interrupted";
        } catch (RuntimeException e) {
            state = "failed: " + e.getClass().getSimpleName();
            audit.update(entry, changed, details(ids, changed, 0, batches, statuses, state));
            throw e;
        }
        int handled = Math.min(ids.size(), batches * options.batchSize());
        int skipped = handled - changed;
        audit.update(entry, changed, details(ids, changed, skipped, batches, statuses, state));
        if (skipped > 0) {
            log.info("{} {}: {} of {} selected message(s) moved on before their batch and were left alone",
                    entry.kind(), entry.operationId(), skipped, ids.size());
        }
        return new BulkResult(entry.operationId(), entry.kind(), false, ids, changed, skipped, batches, statuses);
    }

    private static Map<String, Object> details(List<Long> ids, int changed, int skipped, int batches,
            Map<MessageStatus, Integer> statuses, String state) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", state);
        d.put("selected", ids.size());
        d.put("changed", changed);
        d.put("skipped", skipped);
        d.put("batches", batches);
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        statuses.forEach((k, v) -> byStatus.put(k.name(), v));
        d.put("resultingStatuses", byStatus);
        d.put("messageIds", new ArrayList<>(ids));
        return d;
    }
}
