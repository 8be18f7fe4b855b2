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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
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
    /** Rows fetched and written per round trip. */
    static final int CHUNK = 500;
    /** The files hold full recipients: their owner only may read them, whatever the umask. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Jdbi jdbi;
    private final Clock clock;
    private final AuditLog audit;
    private final UnaryOperator<OutputStream> streams;

    /** @param streams wraps each file's stream (identity in production; tests make it fail) */
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

    /** A final file and the temporary one it is written to first. */
    private record Target(Path file, Path temp) {
        static Target of(Path file, UUID operationId) {
            return new Target(file, file.resolveSibling("." + file.getFileName() + "." + operationId + ".tmp"));
        }
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
        Target messages = Target.of(file, entry.operationId());
        Target attempts = attemptsFile == null ? null : Target.of(attemptsFile, entry.operationId());
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
                List<Long> attemptIds = write(h, ids, request.format(), messages.temp(),
                        attempts == null ? null : attempts.temp());
                ArchiveFiles.Contents contents = ArchiveFiles.readBack(messages.temp(), request.format());
                ArchiveFiles.Contents attemptContents = attempts == null ? contents
                        : ArchiveFiles.readBackAttempts(attempts.temp());
                if (!contents.ids().equals(ids)) {
                    throw new ArchiveFailedException("Row count check failed: the file holds " + contents.ids().size()
                            + " message(s), " + ids.size() + " were selected; nothing was deleted");
                }
                if (!attemptContents.attemptIds().equals(attemptIds)) {
                    throw new ArchiveFailedException("Row count check failed: the files hold "
                            + attemptContents.attemptIds().size() + " attempt(s), " + attemptIds.size()
                            + " were selected; nothing was deleted");
                }
                if (attempts != null) {
                    place(attempts, placed);
                }
                place(messages, placed);
                int deleted = 0;
                if (deleting && !ids.isEmpty()) {
                    deleted = delete(h, ids, attemptIds.size());
                }
                String attemptsSha = attempts == null ? null : attemptContents.sha256();
                audit.insert(h, entry, deleting ? deleted : ids.size(), details(file, attemptsFile, request.format(), ids,
                        attemptIds.size(), contents.sha256(), attemptsSha));
                return new ArchiveResult(entry.operationId(), kind, false, file.toString(), request.format(), ids,
                        deleted, attemptIds.size(), contents.sha256(), attemptsName, attemptsSha);
            });
        } catch (IOException e) {
            throw cleanUp(new ArchiveFailedException("Could not write " + file + ": " + e.getMessage()
                    + "; nothing was deleted", e), placed, messages, attempts);
        } catch (RuntimeException e) {
            throw cleanUp(e, placed, messages, attempts);
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

    private static RuntimeException cleanUp(RuntimeException e, List<Path> placed, Target... targets) {
        try {
            for (Target t : targets) {
                if (t != null) {
                    Files.deleteIfExists(t.temp());
                }
            }
            for (Path p : placed) {
                Files.deleteIfExists(p); // the rows were not deleted: the file must not pretend they were
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

    /**
     * Writes, flushes and syncs the file (and the attempts' own file for CSV).
     *
     * @return the ids of the attempt rows written, in file order
     */
    private List<Long> write(Handle h, List<Long> ids, ArchiveFormat format, Path file, Path attemptsFile)
            throws IOException {
        ArchiveFiles.RecordWriter records = ArchiveFiles.writer(format);
        List<Long> attemptIds = new ArrayList<>();
        try (FileChannel channel = create(file); FileChannel attemptsChannel = attemptsFile == null ? null
                : create(attemptsFile)) {
            Writer out = writer(channel);
            Writer attemptsOut = attemptsChannel == null ? null : writer(attemptsChannel);
            records.header(out, attemptsOut);
            for (int from = 0; from < ids.size(); from += CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
                List<Map<String, Object>> messages = h.createQuery(ArchiveSql.MESSAGES)
                        .bindArray("ids", Long.class, chunk)
                        .map((rs, ctx) -> ArchiveFiles.row(rs)).list();
                Map<Long, List<Map<String, Object>>> byMessage = new HashMap<>();
                h.createQuery(ArchiveSql.ATTEMPTS).bindArray("ids", Long.class, chunk)
                        .map((rs, ctx) -> ArchiveFiles.row(rs))
                        .forEach(a -> byMessage.computeIfAbsent((Long) a.get("message_id"), k -> new ArrayList<>()).add(a));
                for (Map<String, Object> m : messages) {
                    List<Map<String, Object>> a = byMessage.getOrDefault((Long) m.get("id"), List.of());
                    records.write(out, attemptsOut, m, a);
                    a.forEach(row -> attemptIds.add((Long) row.get("id")));
                }
            }
            out.flush();
            channel.force(true);
            if (attemptsOut != null) {
                attemptsOut.flush();
                attemptsChannel.force(true);
            }
        }
        return attemptIds;
    }

    /** A new file, never an existing one, readable and writable by its owner only where the file system says so. */
    private static FileChannel create(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        return FileChannel.open(file, options);
    }

    private Writer writer(FileChannel channel) {
        OutputStream raw = streams.apply(Channels.newOutputStream(channel));
        return new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Links the checked file under its final name: fails rather than replace a file that appeared meanwhile. */
    private static void place(Target t, List<Path> placed) throws IOException {
        boolean linked;
        try {
            Files.createLink(t.file(), t.temp());
            linked = true;
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            linked = false; // no hard links here: a plain move, still refusing to replace
        }
        if (linked) {
            placed.add(t.file()); // from here a failure removes the final file too
            Files.deleteIfExists(t.temp());
        } else {
            Files.move(t.temp(), t.file());
            placed.add(t.file());
        }
        try (FileChannel dir = FileChannel.open(t.file().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some platforms cannot sync a directory; the file itself is synced
        }
    }

    /** Deletes the attempts and rows written: every one of them, or nothing. */
    private static int delete(Handle h, List<Long> ids, int attemptsWritten) {
        int attempts = h.createUpdate(ArchiveSql.DELETE_ATTEMPTS).bindArray("ids", Long.class, ids).execute();
        if (attempts != attemptsWritten) {
            throw new ArchiveFailedException("Deleted " + attempts + " attempt row(s) where " + attemptsWritten
                    + " were written; rolled back, nothing was deleted");
        }
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
