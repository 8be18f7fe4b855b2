package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.ops.ArchiveFailedException;
import io.whatsappoutbox.jdbc.ops.ArchiveFormat;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;

/**
 * Rows written to files that are proved to hold exactly them before anything is deleted: written to a
 * temporary file beside the target, readable by its owner only, flushed and {@code fsync}ed, read back
 * (the ids must be exactly those selected, in order), then linked under the final name (never over an
 * existing file) and the directory synced. The caller deletes in the same transaction and, on any
 * failure, calls {@link #cleanUp} so that no file claims rows that were not deleted. Internal.
 */
final class CheckedArchive {
    /** Rows fetched and written per round trip. */
    static final int CHUNK = 500;
    /** The files hold full recipients: their owner only may read them, whatever the umask. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final UnaryOperator<OutputStream> streams;

    /** @param streams wraps each file's stream (identity in production; tests make it fail) */
    CheckedArchive(UnaryOperator<OutputStream> streams) {
        this.streams = streams;
    }

    /** A final file and the temporary one it is written to first. */
    record Target(Path file, Path temp) {
        static Target of(Path file, UUID operationId) {
            return new Target(file, file.resolveSibling("." + file.getFileName() + "." + operationId + ".tmp"));
        }
    }

    /** What the placed files hold, as read back: the row ids and attempt ids in file order, and their SHA-256. */
    record Written(List<Long> ids, List<Long> attemptIds, String sha256, String attemptsSha256) {}

    /**
     * Outbound messages with their attempts: nested in JSON Lines, or in {@code attempts} for CSV.
     *
     * @param placed receives each file once it has its final name
     */
    Written messages(Handle h, List<Long> ids, ArchiveFormat format, Target messages, Target attempts,
            List<Path> placed) throws IOException {
        List<Long> attemptIds = writeMessages(h, ids, format, messages.temp(), attempts == null ? null : attempts.temp());
        ArchiveFiles.Contents contents = ArchiveFiles.readBack(messages.temp(), format);
        ArchiveFiles.Contents attemptContents = attempts == null ? contents
                : ArchiveFiles.readBackAttempts(attempts.temp());
        requireSame("message(s)", contents.ids(), ids);
        requireSame("attempt(s)", attemptContents.attemptIds(), attemptIds);
        if (attempts != null) {
            place(attempts, placed);
        }
        place(messages, placed);
        return new Written(contents.ids(), attemptIds, contents.sha256(), attempts == null ? null
                : attemptContents.sha256());
    }

    /**
     * The rows {@code ids} of a table whose key is {@code id}, every column, as JSON Lines.
     *
     * @param table a table name of the schema, never user input
     */
    Written rows(Handle h, String table, List<Long> ids, Target target, List<Path> placed) throws IOException {
        String select = "SELECT * FROM " + table + " WHERE id = ANY(:ids::bigint[]) ORDER BY array_position(:ids::bigint[], id)";
        try (FileChannel channel = create(target.temp())) {
            Writer out = writer(channel);
            for (int from = 0; from < ids.size(); from += CHUNK) {
                List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
                for (Map<String, Object> row : h.createQuery(select).bindArray("ids", Long.class, chunk)
                        .map((rs, ctx) -> ArchiveFiles.row(rs)).list()) {
                    ArchiveFiles.JsonLines.writeRow(out, row);
                }
            }
            out.flush();
            channel.force(true);
        }
        ArchiveFiles.Contents contents = ArchiveFiles.readBack(target.temp(), ArchiveFormat.JSONL);
        requireSame("row(s) of " + table, contents.ids(), ids);
        place(target, placed);
        return new Written(contents.ids(), List.of(), contents.sha256(), null);
    }

    private static void requireSame(String what, List<Long> inFile, List<Long> selected) {
        if (!inFile.equals(selected)) {
            throw new ArchiveFailedException("Row count check failed: the files hold " + inFile.size() + " " + what + ", "
                    + selected.size() + " were selected; nothing was deleted");
        }
    }

    /** Removes the temporary files and every file placed: the rows were not deleted, no file may pretend they were. */
    static RuntimeException cleanUp(RuntimeException e, List<Path> placed, Target... targets) {
        try {
            for (Target t : targets) {
                if (t != null) {
                    Files.deleteIfExists(t.temp());
                }
            }
            for (Path p : placed) {
                Files.deleteIfExists(p);
            }
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
        return e;
    }

    /** @return the ids of the attempt rows written, in file order */
    private List<Long> writeMessages(Handle h, List<Long> ids, ArchiveFormat format, Path file, Path attemptsFile)
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
}
