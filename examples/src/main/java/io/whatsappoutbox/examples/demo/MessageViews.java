package io.whatsappoutbox.examples.demo;

import io.whatsappoutbox.core.Attempt;
import io.whatsappoutbox.core.InReplyTo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.jdbc.ops.ChannelHealth;
import io.whatsappoutbox.jdbc.ops.ChannelHealthReport;
import io.whatsappoutbox.jdbc.ops.NumberHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serve mode's JSON shapes (camelCase, stable: scripts depend on them). Recipients are masked.
 */
final class MessageViews {
    private MessageViews() {}

    static Map<String, Object> message(OutboundMessage m, List<Attempt> attempts, Long fallbackMessageId) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", m.id());
        v.put("orgId", m.orgId());
        v.put("dossierId", m.dossierId());
        v.put("channel", m.channel().name());
        v.put("to", m.to().masked());
        v.put("status", m.status().name());
        v.put("idempotencyKey", m.idempotencyKey());
        v.put("templateName", m.templateName().orElse(null));
        v.put("contentType", m.content().type().name());
        v.put("inReplyTo", m.content() instanceof InReplyTo r ? r.messageId() : null);
        v.put("attemptCount", m.attemptCount());
        v.put("maxAttempts", m.maxAttempts());
        v.put("errorCode", m.lastError() == null ? null : m.lastError().code());
        v.put("errorMessage", m.lastError() == null ? null : m.lastError().message());
        v.put("errorCategory", m.lastError() == null ? null : m.lastError().category().name());
        v.put("providerMessageId", m.providerMessageId());
        v.put("fallbackOf", m.fallbackOf());
        v.put("fallbackMessageId", fallbackMessageId);
        v.put("purpose", m.purpose().name());
        v.put("recipientTimeZone", m.recipientTimeZone() == null ? null : m.recipientTimeZone().getId());
        v.put("sendBy", iso(m.sendBy()));
        v.put("priority", m.priority().name());
        v.put("orderingKey", m.orderingKey());
        v.put("nextAttemptAt", iso(m.nextAttemptAt()));
        v.put("createdAt", iso(m.createdAt()));
        v.put("updatedAt", iso(m.updatedAt()));
        v.put("sentAt", iso(m.sentAt()));
        v.put("deliveredAt", iso(m.deliveredAt()));
        v.put("readAt", iso(m.readAt()));
        v.put("attempts", attempts.stream().map(MessageViews::attempt).toList());
        return v;
    }

    static Map<String, Object> attempt(Attempt a) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("attemptNumber", a.attemptNumber());
        v.put("provider", a.provider());
        v.put("outcome", a.outcome().name());
        v.put("errorCode", a.error() == null ? null : a.error().code());
        v.put("errorMessage", a.error() == null ? null : a.error().message());
        v.put("errorCategory", a.error() == null ? null : a.error().category().name());
        v.put("httpStatus", a.httpStatus() == 0 ? null : a.httpStatus());
        v.put("providerMessageId", a.providerMessageId());
        v.put("startedAt", iso(a.startedAt()));
        v.put("durationMs", a.duration().toMillis());
        v.put("nextAttemptAt", iso(a.nextAttemptAt()));
        return v;
    }

    /** {@code {"channelMetrics":{"WHATSAPP":{...},"SMS":{...}}}}, the runbook's dashboard. */
    static Map<String, Object> dashboard(ChannelHealthReport report) {
        Map<String, Object> channels = new LinkedHashMap<>();
        for (ChannelHealth h : report.channelMetrics().values()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("channel", h.channel().name());
            c.put("totalMessages", h.totalMessages());
            c.put("successfulMessages", h.successfulMessages());
            c.put("failedMessages", h.failedMessages());
            c.put("successRate", h.successRate());
            c.put("averageLatencyMs", h.averageLatencyMs());
            channels.put(h.channel().name(), c);
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("channelMetrics", channels);
        v.put("window", report.window().toString());
        v.put("asOf", iso(report.asOf()));
        List<Map<String, Object>> numbers = new ArrayList<>();
        for (NumberHealth n : report.numbers()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("businessAccountId", n.businessAccountId());
            x.put("displayPhoneNumber", n.displayPhoneNumber());
            x.put("orgIds", n.orgIds());
            x.put("qualityRating", n.qualityRating());
            x.put("messagingLimit", n.messagingLimit());
            x.put("lastEvent", n.lastEvent());
            x.put("updatedAt", iso(n.updatedAt()));
            numbers.add(x);
        }
        // each sending number's standing with Meta, masked: what a channel's figures do not show
        v.put("numbers", numbers);
        return v;
    }

    static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
