package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.ops.ArchiveFailedException;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
import io.whatsappoutbox.jdbc.ops.ArchiveResult;
import io.whatsappoutbox.jdbc.ops.DeadLetterFilter;
import io.whatsappoutbox.jdbc.ops.ExportRequest;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Export and archive of dead letters. The archive is all-or-nothing, in one transaction:
 * <ol>
 *   <li>lock the selected rows ({@code FOR UPDATE}), oldest first;</li>
 *   <li>write them, with their attempts, to temporary files beside the target (JSON Lines: one
 *       file, attempts nested; CSV: the messages and {@code <name>.attempts.csv}), readable by their
 *       owner only, flush them and {@code fsync} them;</li>
 *   <li>read the files back: they must hold exactly the locked ids and the attempt ids written, in order;</li>
 *   <li>give the files their final names (never over an existing file) and sync the directory;</li>
 *   <li>delete exactly those attempts and rows, write the audit row, commit.</li>
 * </ol>
 * Any failure before the commit rolls back and removes the files, so nothing is deleted without a
 * checked copy and no half-written archive is left. Internal.
 */
final class DeadLetterArchiver {

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final CheckedArchive files;

    DeadLetterArchiver(Jdbi jdbi, Clock clock, AuditLog audit, CheckedArchive files) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.files = files;
    }

    ArchiveResult export(Scope scope, ExportRequest request, Operator operator) {
        return run(OperationKind.EXPORT_DEAD_LETTERS, scope, request, operator);
    }

    ArchiveResult archive(Scope scope, ExportRequest request, Operator operator) {
        Objects.requireNonNull(request, "request").requireArchivable();
        return run(OperationKind.ARCHIVE_DEAD_LETTERS, scope, request, operator);
    }

    private ArchiveResult run(OperationKind kind, Scope scope, ExportRequest request, Operator operator) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(operator, "operator");
        Path file = request.file().toAbsolutePath().normalize();
        Path attemptsFile = request.format() == ArchiveFormat.CSV ? ArchiveFiles.attemptsFileFor(file) : null;
        checkTargets(file, attemptsFile);
        boolean deleting = kind == OperationKind.ARCHIVE_DEAD_LETTERS;
        Map<String, Object> filter = new LinkedHashMap<>(request.filter().describe());
        filter.put("format", request.format().name());
        filter.put("limit", request.limit());
        AuditLog.Entry entry = AuditLog.Entry.start(kind, operator, scope.label(), filter, request.dryRun());
        Instant at = clock.instant();
        CheckedArchive.Target messages = CheckedArchive.Target.of(file, entry.operationId());
        CheckedArchive.Target attempts = attemptsFile == null ? null : CheckedArchive.Target.of(attemptsFile, entry.operationId());
        String attemptsName = attemptsFile == null ? null : attemptsFile.toString();
        List<Path> placed = new ArrayList<>();
        try {
            return jdbi.inTransaction(h -> {
                List<Long> ids = select(h, scope, request, at, deleting);
                if (request.dryRun()) {
                    audit.insert(h, entry, ids.size(), details(file, attemptsFile, request.format(), ids, 0, null, null));
                    return new ArchiveResult(entry.operationId(), kind, true, file.toString(), request.format(),
                            ids, 0, 0, null, attemptsName, null);
                }
                CheckedArchive.Written written = files.messages(h, ids, request.format(), messages, attempts, placed);
                int deleted = 0;
                if (deleting && !ids.isEmpty()) {
                    deleted = delete(h, ids, written.attemptIds().size(), deadLetterStatus());
                }
                audit.insert(h, entry, deleting ? deleted : ids.size(), details(file, attemptsFile, request.format(), ids,
                        written.attemptIds().size(), written.sha256(), written.attemptsSha256()));
                return new ArchiveResult(entry.operationId(), kind, false, file.toString(), request.format(), ids,
                        deleted, written.attemptIds().size(), written.sha256(), attemptsName, written.attemptsSha256());
            });
        } catch (IOException e) {
            throw CheckedArchive.cleanUp(new ArchiveFailedException("Could not write " + file + ": " + e.getMessage()
                    + "; nothing was deleted", e), placed, messages, attempts);
        } catch (RuntimeException e) {
            throw CheckedArchive.cleanUp(e, placed, messages, attempts);
        }
    }

    private static void checkTargets(Path file, Path attemptsFile) {
        Violations v = new Violations();
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            v.add("file", "'" + file + "' is not in an existing directory", "a file in an existing, writable directory");
        } else {
            for (Path p : attemptsFile == null ? List.of(file) : List.of(file, attemptsFile)) {
                if (Files.exists(p)) {
                    v.add("file", "'" + p + "' exists", "a new file: an archive is never overwritten");
                }
            }
        }
        v.throwIfAny("export request");
    }

    private static List<Long> select(Handle h, Scope scope, ExportRequest r, Instant at, boolean lock) {
        DeadLetterFilter f = r.filter();
        return Reports.scope(h.createQuery(lock ? ArchiveSql.LOCK_DEAD_LETTERS : ArchiveSql.SELECT_DEAD_LETTERS),
                        scope, f.channel())
                .bindArray("sources", String.class, List.of(deadLetterStatus()))
                .bindArray("codes", String.class, f.errorCodes())
                .bindArray("categories", String.class, f.categoryNames())
                .bind("failedUpTo", f.minAge() == null ? null : at.minus(f.minAge()))
                .bind("failedFrom", f.maxAge() == null ? null : at.minus(f.maxAge()))
                .bind("limit", r.limit())
                .mapTo(Long.class)
                .list();
    }

    /** Deletes the attempts and rows written, only rows still in {@code status}: every one of them, or nothing. */
    static int delete(Handle h, List<Long> ids, int attemptsWritten, String... status) {
        int attempts = h.createUpdate(ArchiveSql.DELETE_ATTEMPTS).bindArray("ids", Long.class, ids).execute();
        if (attempts != attemptsWritten) {
            throw new ArchiveFailedException("Deleted " + attempts + " attempt row(s) where " + attemptsWritten
                    + " were written; rolled back, nothing was deleted");
        }
        int deleted = h.createUpdate(ArchiveSql.DELETE)
                .bindArray("ids", Long.class, ids)
                .bindArray("sources", String.class, List.of(status))
                .execute();
        if (deleted != ids.size()) {
            throw new ArchiveFailedException("Deleted " + deleted + " row(s) where " + ids.size()
                    + " were written; rolled back, nothing was deleted");
        }
        return deleted;
    }

    private static Map<String, Object> details(Path file, Path attemptsFile, ArchiveFormat format, List<Long> ids,
            int attempts, String sha256, String attemptsSha256) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("format", format.name());
        d.put("messages", ids.size());
        d.put("attempts", attempts);
        d.put("sha256", sha256);
        if (attemptsFile != null) {
            d.put("attemptsFile", attemptsFile.toString());
            d.put("attemptsSha256", attemptsSha256);
        }
        d.put("messageIds", new ArrayList<>(ids));
        return d;
    }

    /** The dead letter's status, as the state machine's only way into it names it. */
    static String deadLetterStatus() {
        return Transition.DEAD_LETTER.target().name();
    }
}
