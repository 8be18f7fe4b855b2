package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Dead letters to write to a file, oldest first.
 *
 * @param file where to write; it must not exist yet (an archive is never overwritten)
 * @param filter which dead letters; an archive requires {@code minAge} of at least a day
 * @param limit most messages in the file
 * @param dryRun select and count, write nothing
 */
public record ExportRequest(Path file, ArchiveFormat format, DeadLetterFilter filter, int limit, boolean dryRun) {
    public static final int DEFAULT_LIMIT = 10_000;

    public ExportRequest {
        Violations v = new Violations();
        v.requireNonNull("file", file);
        v.requireNonNull("format", format);
        v.range("limit", limit, 1, OpsRules.MAX_ARCHIVE_LIMIT);
        v.throwIfAny("export request");
        filter = Objects.requireNonNullElse(filter, DeadLetterFilter.all());
    }

    public static ExportRequest of(Path file, ArchiveFormat format, DeadLetterFilter filter) {
        return new ExportRequest(file, format, filter, DEFAULT_LIMIT, false);
    }

    /**
     * Checks what an archive (which deletes) needs beyond an export: dead letters older than at least
     * {@link OpsRules#MIN_ARCHIVE_AGE}.
     *
     * @return this request
     */
    public ExportRequest requireArchivable() {
        Violations v = new Violations();
        OpsChecks.age(v, "olderThan", filter.minAge(), OpsRules.MIN_ARCHIVE_AGE);
        v.throwIfAny("archive request");
        return this;
    }

    public ExportRequest withLimit(int value) {
        return new ExportRequest(file, format, filter, value, dryRun);
    }

    public ExportRequest withDryRun(boolean value) {
        return new ExportRequest(file, format, filter, limit, value);
    }
}
