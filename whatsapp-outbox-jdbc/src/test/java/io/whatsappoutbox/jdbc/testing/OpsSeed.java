package io.whatsappoutbox.jdbc.testing;

import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Puts messages in any status, at any time, for the operations tests: each is enqueued through the
 * outbox (so it is a valid row) and then moved with SQL, as a long-running system would have left it.
 */
public final class OpsSeed {
    private final JdbcOutbox outbox;
    private final Sql sql;
    private final AtomicInteger n = new AtomicInteger();

    public OpsSeed(JdbcOutbox outbox) {
        this.outbox = outbox;
        this.sql = new Sql(outbox.dataSource());
    }

    public Sql sql() {
        return sql;
    }

    static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private long enqueue(String org, Channel channel, int recipient) {
        int i = n.incrementAndGet();
        OutboundMessageRequest.Builder b = OutboundMessageRequest.builder().orgId(org).channel(channel)
                .to(Requests.phone(recipient < 0 ? i : recipient)).idempotencyKey("seed-" + i);
        b = channel == Channel.WHATSAPP ? b.template("appointment_reminder", "fr", "lundi " + i) : b.text("Rappel " + i);
        return outbox.enqueue(b.build()).message().id();
    }

    /** A QUEUED message created at {@code createdAt}, due at {@code dueAt}. */
    public long queued(String org, Channel channel, Instant createdAt, Instant dueAt) {
        long id = enqueue(org, channel, -1);
        sql.update("UPDATE outbound_message SET created_at = ?, updated_at = ?, next_attempt_at = ? WHERE id = ?",
                utc(createdAt), utc(createdAt), utc(dueAt), id);
        return id;
    }

    /** A SENDING message whose lease runs to {@code lockedUntil}, with {@code attempts} spent. */
    public long sending(String org, Channel channel, Instant createdAt, Instant lockedUntil, int attempts) {
        long id = enqueue(org, channel, -1);
        sql.update("UPDATE outbound_message SET status = 'SENDING', locked_by = 'node-x:1', locked_until = ?,"
                + " attempt_count = ?, created_at = ?, updated_at = ?, next_attempt_at = ? WHERE id = ?",
                utc(lockedUntil), attempts, utc(createdAt), utc(createdAt), utc(createdAt), id);
        return id;
    }

    /** An accepted message: SENT (or DELIVERED/READ) {@code latencyMs} after creation. */
    public long accepted(String org, Channel channel, String status, Instant createdAt, long latencyMs) {
        long id = enqueue(org, channel, -1);
        Instant sentAt = createdAt.plusMillis(latencyMs);
        sql.update("UPDATE outbound_message SET status = ?, provider = 'test', provider_message_id = ?, sent_at = ?,"
                + " attempt_count = 1, created_at = ?, updated_at = ? WHERE id = ?",
                status, "wamid.seed." + id, utc(sentAt), utc(createdAt), utc(sentAt), id);
        return id;
    }

    /** A dead letter with its attempts used up, one attempt row per attempt. */
    public long failed(String org, Channel channel, String code, ErrorCategory category, Instant createdAt,
            Instant failedAt) {
        return failed(org, channel, -1, code, category, createdAt, failedAt, 5);
    }

    /** A dead letter to a chosen recipient number, after {@code attempts} attempts. */
    public long failed(String org, Channel channel, int recipient, String code, ErrorCategory category,
            Instant createdAt, Instant failedAt, int attempts) {
        long id = enqueue(org, channel, recipient);
        sql.update("UPDATE outbound_message SET status = 'FAILED', error_code = ?, error_message = ?, error_category = ?,"
                + " attempt_count = ?, deferral_count = 1, failed_at = ?, created_at = ?, updated_at = ?,"
                + " next_attempt_at = ?, provider = 'test' WHERE id = ?",
                code, "error " + code + " on message " + id, category.name(), attempts, utc(failedAt), utc(createdAt),
                utc(failedAt), utc(failedAt), id);
        for (int a = 1; a <= attempts; a++) {
            sql.update("INSERT INTO outbound_attempt (message_id, org_id, attempt_number, provider, outcome, error_code,"
                    + " error_message, error_category, http_status, lease_owner, started_at, duration_ms)"
                    + " VALUES (?, ?, ?, 'test', ?, ?, ?, ?, 400, 'node-x:1', ?, 12)",
                    id, org, a, a == attempts ? "DEAD_LETTER" : "RETRY", code, "error " + code, category.name(),
                    utc(createdAt.plusSeconds(a)));
        }
        return id;
    }

    /** A provider configuration row, without secrets, last changed at {@code updatedAt}. */
    public void providerConfig(String org, String phoneNumberId, Instant updatedAt, String updatedBy) {
        sql.update("INSERT INTO whatsapp_provider_config (org_id, phone_number_id, enabled, created_at, updated_at,"
                + " updated_by) VALUES (?, ?, true, ?, ?, ?)", org, phoneNumberId, utc(updatedAt), utc(updatedAt),
                updatedBy);
    }

    /** A quota row. */
    public void quota(String org, long limit, long used, Instant resetAt, Instant throttleUntil) {
        sql.update("INSERT INTO whatsapp_rate_limit (org_id, messages_sent_count, quota_limit, reset_at, throttle_until,"
                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, now(), now())", org, used, limit, utc(resetAt),
                utc(throttleUntil));
    }
}
