package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Attempt.Outcome;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.store.AttemptResult;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Writes {@code outbound_attempt}, the history of every call and every failed receipt: the one
 * place its insert is bound, for the dispatcher's results and the webhook store's failed receipts
 * alike. (A batch of accepted sends writes its rows inside the SENT statement instead: one
 * statement for the hot path.) Internal.
 */
final class AttemptRows {
    private AttemptRows() {}

    /** One row; {@code httpStatus} 0 and a null {@code error} are written as null. */
    record Row(long messageId, String orgId, int attemptNumber, String provider, Outcome outcome, ErrorInfo error,
            int httpStatus, String providerMessageId, String leaseOwner, Instant startedAt, int durationMillis,
            Instant nextAttemptAt) {}

    static Row of(AttemptResult r) {
        return new Row(r.messageId(), r.message().orgId(), r.message().attemptCount(), r.provider(), r.outcome(),
                r.error(), r.httpStatus(), r.providerMessageId(), r.leaseOwner(), r.startedAt(), durationMillis(r),
                r.nextAttemptAt());
    }

    static int durationMillis(AttemptResult r) {
        return (int) Math.min(Integer.MAX_VALUE, r.duration().toMillis());
    }

    static void insert(Handle h, List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.createUpdate(DispatchSql.INSERT_ATTEMPTS)
                .bindArray("messageIds", Long.class, rows.stream().map(Row::messageId).toList())
                .bindArray("orgs", String.class, rows.stream().map(Row::orgId).toList())
                .bindArray("attemptNumbers", Integer.class, rows.stream().map(Row::attemptNumber).toList())
                .bindArray("providers", String.class, rows.stream().map(Row::provider).toList())
                .bindArray("outcomes", String.class, rows.stream().map(r -> r.outcome().name()).toList())
                .bindArray("codes", String.class, rows.stream().map(r -> r.error() == null ? null : r.error().code()).toList())
                .bindArray("messages", String.class,
                        rows.stream().map(r -> r.error() == null ? null : r.error().message()).toList())
                .bindArray("categories", String.class,
                        rows.stream().map(r -> r.error() == null ? null : r.error().category().name()).toList())
                .bindArray("httpStatuses", Integer.class,
                        rows.stream().map(r -> r.httpStatus() == 0 ? null : r.httpStatus()).toList())
                .bindArray("pids", String.class, rows.stream().map(Row::providerMessageId).toList())
                .bindArray("owners", String.class, rows.stream().map(Row::leaseOwner).toList())
                .bindArray("startedAt", String.class, rows.stream().map(r -> Times.iso(r.startedAt())).toList())
                .bindArray("durations", Integer.class, rows.stream().map(Row::durationMillis).toList())
                .bindArray("nextAt", String.class, rows.stream().map(r -> Times.iso(r.nextAttemptAt())).toList())
                .execute();
    }
}
