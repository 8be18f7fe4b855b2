package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.MessageStateMachine.Transition;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.ops.ArchiveFailedException;
import io.whatsappoutbox.core.ops.ArchiveFormat;
import io.whatsappoutbox.core.ops.ArchiveResult;
import io.whatsappoutbox.core.ops.DeadLetterFilter;
import io.whatsappoutbox.core.ops.ExportRequest;
import io.whatsappoutbox.core.ops.OperationKind;
import io.whatsappoutbox.core.ops.Operator;
import io.whatsappoutbox.core.ops.Scope;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Export and archive of dead letters. The archive is all-or-nothing, in one transaction:
 * <ol>
 *   <li>lock the selected rows ({@code FOR UPDATE}), oldest first;</li>
 *   <li>write them to a temporary file beside the target, flush it and {@code fsync} it;</li>
 *   <li>read the file back: it must hold exactly the locked ids, in order;</li>
 *   <li>give the file its final name (never over an existing file) and sync the directory;</li>
 *   <li>delete exactly those rows (their attempts go with them), write the audit row, commit.</li>
 * </ol>
 * Any failure before the commit rolls back and removes the file, so nothing is deleted without a
 * checked copy and no half-written archive is left. Internal.
 */
final class DeadLetterArchiver {
    /** Rows fetched and written per round trip. */
    static final int CHUNK = 500;

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final UnaryOperator<OutputStream> streams;

    /** @param streams wraps the file's stream (identity in production; tests make it fail) */
    DeadLetterArchiver(Jdbi jdbi, Clock clock, AuditLog audit, UnaryOperator<OutputStream> streams) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.audit = audit;
        this.streams = streams;
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
        Path target = request.file().toAbsolutePath().normalize();
        checkTarget(target);
        boolean deleting = kind == OperationKind.ARCHIVE_DEAD_LETTERS;
        Map<String, Object> filter = new LinkedHashMap<>(request.filter().describe());
        filter.put("format", request.format().name());
        filter.put("limit", request.limit());
        AuditLog.Entry entry = AuditLog.Entry.start(kind, operator, scope.label(), filter, request.dryRun());
        Instant at = clock.instant();
        Path temp = target.resolveSibling("." + target.getFileName() + "." + entry.operationId() + ".tmp");
        boolean[] placed = {false};
        try {
            return jdbi.inTransaction(h -> {
                List<Long> ids = select(h, scope, request, at, deleting);
                if (request.dryRun()) {
                    audit.insert(h, entry, ids.size(), details(target, request.format(), ids, 0, null));
                    return new ArchiveResult(entry.operationId(), kind, true, target.toString(), request.format(),
                            ids, 0, 0, null);
                }
                int attempts = write(h, ids, request.format(), temp);
                ArchiveFiles.Contents contents = ArchiveFiles.readBack(temp, request.format());
                if (!contents.ids().equals(ids)) {
                    throw new ArchiveFailedException("Row count check failed: the file holds " + contents.ids().size()
                            + " message(s), " + ids.size() + " were selected; nothing was deleted");
                }
                placed[0] = true; // from here a failure removes the final file too
                place(temp, target);
                int deleted = 0;
                if (deleting && !ids.isEmpty()) {
                    deleted = delete(h, ids);
                }
                audit.insert(h, entry, deleting ? deleted : ids.size(),
                        details(target, request.format(), ids, attempts, contents.sha256()));
                return new ArchiveResult(entry.operationId(), kind, false, target.toString(), request.format(), ids,
                        deleted, attempts, contents.sha256());
            });
        } catch (IOException e) {
            throw cleanUp(new ArchiveFailedException("Could not write " + target + ": " + e.getMessage()
                    + "; nothing was deleted", e), temp, target, placed[0]);
        } catch (RuntimeException e) {
            throw cleanUp(e, temp, target, placed[0]);
        }
    }

    private static void checkTarget(Path target) {
        Violations v = new Violations();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            v.add("file", "'" + target + "' is not in an existing directory", "a file in an existing, writable directory");
        } else if (Files.exists(target)) {
            v.add("file", "'" + target + "' exists", "a new file: an archive is never overwritten");
        }
        v.throwIfAny("export request");
    }

    private static RuntimeException cleanUp(RuntimeException e, Path temp, Path target, boolean placed) {
        try {
            Files.deleteIfExists(temp);
            if (placed) {
                Files.deleteIfExists(target); // the rows were not deleted: the file must not pretend they were
            }
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return e;
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

    /** Writes, flushes and syncs the file; returns the attempt rows written. */
    private int write(Handle h, List<Long> ids, ArchiveFormat format, Path file) throws IOException {
        ArchiveFiles.RecordWriter records = ArchiveFiles.writer(format);
        int attempts = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream raw = streams.apply(Channels.newOutputStream(channel));
            Writer out = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), 1 << 16);
            records.header(out);
            for (int from = 0; from < ids.size(); from += CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
                List<Map<String, Object>> messages = h.createQuery(ArchiveSql.MESSAGES)
                        .bindArray("ids", Long.class, chunk)
                        .map((rs, ctx) -> ArchiveFiles.row(rs)).list();
                Map<Long, List<Map<String, Object>>> byMessage = new HashMap<>();
                if (format == ArchiveFormat.JSONL) {
                    h.createQuery(ArchiveSql.ATTEMPTS).bindArray("ids", Long.class, chunk)
                            .map((rs, ctx) -> ArchiveFiles.row(rs))
                            .forEach(a -> byMessage.computeIfAbsent((Long) a.get("message_id"), k -> new ArrayList<>()).add(a));
                }
                for (Map<String, Object> m : messages) {
                    List<Map<String, Object>> a = byMessage.getOrDefault((Long) m.get("id"), List.of());
                    records.write(out, m, a);
                    attempts += a.size();
                }
            }
            out.flush();
            channel.force(true);
        }
        return attempts;
    }

    /** Links the checked file under its final name: fails rather than replace a file that appeared meanwhile. */
    private static void place(Path temp, Path target) throws IOException {
        boolean linked;
        try {
            Files.createLink(target, temp);
            linked = true;
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            linked = false; // no hard links here: a plain move, still refusing to replace
        }
        if (linked) {
            Files.deleteIfExists(temp);
        } else {
            Files.move(temp, target);
        }
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some platforms cannot sync a directory; the file itself is synced
        }
    }

    private static int delete(Handle h, List<Long> ids) {
        int deleted = h.createUpdate(ArchiveSql.DELETE)
                .bindArray("ids", Long.class, ids)
                .bindArray("sources", String.class, List.of(deadLetterStatus()))
                .execute();
        if (deleted != ids.size()) {
            throw new ArchiveFailedException("Deleted " + deleted + " row(s) where " + ids.size()
                    + " were written; rolled back, nothing was deleted");
        }
        return deleted;
    }

    private static Map<String, Object> details(Path file, ArchiveFormat format, List<Long> ids, int attempts,
            String sha256) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("format", format.name());
        d.put("messages", ids.size());
        d.put("attempts", attempts);
        d.put("sha256", sha256);
        d.put("messageIds", new ArrayList<>(ids));
        return d;
    }

    /** The dead letter's status, as the state machine's only way into it names it. */
    static String deadLetterStatus() {
        return Transition.DEAD_LETTER.target().name();
    }
}
