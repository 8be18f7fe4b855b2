package io.whatsappoutbox.jdbc.ops;

import java.util.List;
import java.util.UUID;

/**
 * What an export or archive wrote (or, in a dry run, would write).
 *
 * @param file the absolute path written, or the one that would be
 * @param messageIds the messages in the file, in file order
 * @param deleted rows deleted: equal to {@code messageIds.size()} for an archive, 0 for an export or a dry run
 * @param attemptsExported attempt rows written (nested in JSON Lines, in {@code attemptsFile} for CSV); an
 *     archive deletes exactly these with their messages
 * @param sha256 hex digest of the file, null in a dry run
 * @param attemptsFile the CSV file of the attempts beside {@code file} (its name with {@code .attempts.csv}),
 *     or null for JSON Lines
 * @param attemptsSha256 hex digest of {@code attemptsFile}, null in a dry run or for JSON Lines
 */
public record ArchiveResult(UUID operationId, OperationKind kind, boolean dryRun, String file, ArchiveFormat format,
        List<Long> messageIds, int deleted, int attemptsExported, String sha256, String attemptsFile,
        String attemptsSha256) {

    public ArchiveResult {
        messageIds = List.copyOf(messageIds);
    }

    public int exported() {
        return dryRun ? 0 : messageIds.size();
    }
}
