package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.SafeText;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An outbound message as the store holds it (the runbook's {@code outbound_message} row).
 * Immutable: a change is a new row version written by the store through
 * the message state machine (docs/architecture.md).
 *
 * @param attemptCount attempts spent so far (a rate-limit deferral spends none)
 * @param deferralCount times the message was rescheduled without spending an attempt
 * @param nextAttemptAt when a QUEUED message is due
 * @param lastError the last error, kept when the message is retried, or null
 * @param fallbackOf the message this one replaces on another channel, or null
 * @param purpose which consent the message needs (TRANSACTIONAL when null)
 * @param recipientTimeZone the zone the host gave for its org's sending hours, or null
 * @param sendBy the latest time the message may be sent, or null
 * @param priority which of the org's due messages go first
 * @param orderingKey messages of the org with the same key go in enqueue order, or null
 * @param traceContext the propagation fields ({@code traceparent}, {@code tracestate}, ...) of the
 *     trace that enqueued the message, which its sends join; empty when the enqueue was not traced
 */
public record OutboundMessage(
        long id,
        String orgId,
        String dossierId,
        Channel channel,
        PhoneNumber to,
        MessageContent content,
        MessageStatus status,
        String idempotencyKey,
        int attemptCount,
        int maxAttempts,
        int deferralCount,
        Instant nextAttemptAt,
        ErrorInfo lastError,
        String providerMessageId,
        Long fallbackOf,
        Instant createdAt,
        Instant updatedAt,
        Instant sentAt,
        Instant deliveredAt,
        Instant readAt,
        String createdBy,
        String updatedBy,
        ConsentPurpose purpose,
        ZoneId recipientTimeZone,
        Instant sendBy,
        Priority priority,
        String orderingKey,
        Map<String, String> traceContext) {

    public OutboundMessage {
        purpose = purpose == null ? ConsentPurpose.TRANSACTIONAL : purpose;
        priority = priority == null ? Priority.NORMAL : priority;
        // in the tracer's order: the trace fields before any baggage
        traceContext = traceContext == null || traceContext.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(traceContext));
    }

    /** A message enqueued without tracing: no trace context. */
    public OutboundMessage(long id, String orgId, String dossierId, Channel channel, PhoneNumber to,
            MessageContent content, MessageStatus status, String idempotencyKey, int attemptCount, int maxAttempts,
            int deferralCount, Instant nextAttemptAt, ErrorInfo lastError, String providerMessageId, Long fallbackOf,
            Instant createdAt, Instant updatedAt, Instant sentAt, Instant deliveredAt, Instant readAt, String createdBy,
            String updatedBy, ConsentPurpose purpose, ZoneId recipientTimeZone, Instant sendBy, Priority priority,
            String orderingKey) {
        this(id, orgId, dossierId, channel, to, content, status, idempotencyKey, attemptCount, maxAttempts,
                deferralCount, nextAttemptAt, lastError, providerMessageId, fallbackOf, createdAt, updatedAt, sentAt,
                deliveredAt, readAt, createdBy, updatedBy, purpose, recipientTimeZone, sendBy, priority, orderingKey,
                Map.of());
    }

    /** A message that needs the channel's transactional consent. */
    public OutboundMessage(long id, String orgId, String dossierId, Channel channel, PhoneNumber to,
            MessageContent content, MessageStatus status, String idempotencyKey, int attemptCount, int maxAttempts,
            int deferralCount, Instant nextAttemptAt, ErrorInfo lastError, String providerMessageId, Long fallbackOf,
            Instant createdAt, Instant updatedAt, Instant sentAt, Instant deliveredAt, Instant readAt, String createdBy,
            String updatedBy) {
        this(id, orgId, dossierId, channel, to, content, status, idempotencyKey, attemptCount, maxAttempts,
                deferralCount, nextAttemptAt, lastError, providerMessageId, fallbackOf, createdAt, updatedAt, sentAt,
                deliveredAt, readAt, createdBy, updatedBy, ConsentPurpose.TRANSACTIONAL);
    }

    /** A message without the scheduling fields: NORMAL, no deadline, no ordering key, its zone from the number. */
    public OutboundMessage(long id, String orgId, String dossierId, Channel channel, PhoneNumber to,
            MessageContent content, MessageStatus status, String idempotencyKey, int attemptCount, int maxAttempts,
            int deferralCount, Instant nextAttemptAt, ErrorInfo lastError, String providerMessageId, Long fallbackOf,
            Instant createdAt, Instant updatedAt, Instant sentAt, Instant deliveredAt, Instant readAt, String createdBy,
            String updatedBy, ConsentPurpose purpose) {
        this(id, orgId, dossierId, channel, to, content, status, idempotencyKey, attemptCount, maxAttempts,
                deferralCount, nextAttemptAt, lastError, providerMessageId, fallbackOf, createdAt, updatedAt, sentAt,
                deliveredAt, readAt, createdBy, updatedBy, purpose, null, null, Priority.NORMAL, null);
    }

    public Optional<ErrorInfo> error() {
        return Optional.ofNullable(lastError);
    }

    public Optional<String> templateName() {
        return content.templateName();
    }

    /** True when this attempt is the last one the message may spend. */
    public boolean isLastAttempt() {
        return attemptCount >= maxAttempts;
    }

    /** Names the message without its content: logged by accident, it shows no body and no full number. */
    @Override
    public String toString() {
        return "OutboundMessage[id=" + id + ", orgId=" + orgId + ", dossierId=" + SafeText.redact(dossierId)
                + ", channel=" + channel + ", to=" + to + ", content=" + OutboundMessageRequest.describe(content)
                + ", status=" + status + ", idempotencyKey=" + SafeText.redact(idempotencyKey) + ", attempts="
                + attemptCount + "/" + maxAttempts + ", deferrals=" + deferralCount + ", nextAttemptAt=" + nextAttemptAt
                + ", lastError=" + (lastError == null ? null : lastError.code() + " " + lastError.category())
                + ", providerMessageId=" + providerMessageId + ", fallbackOf=" + fallbackOf + ", purpose=" + purpose
                + (recipientTimeZone == null ? "" : ", recipientTimeZone=" + recipientTimeZone)
                + (sendBy == null ? "" : ", sendBy=" + sendBy) + ", priority=" + priority
                + (orderingKey == null ? "" : ", orderingKey=" + SafeText.redact(orderingKey))
                + (traceContext.isEmpty() ? "" : ", traced") + ", createdAt=" + createdAt
                + ", updatedAt=" + updatedAt + ", sentAt=" + sentAt + ", deliveredAt=" + deliveredAt + ", readAt="
                + readAt + "]";
    }
}
