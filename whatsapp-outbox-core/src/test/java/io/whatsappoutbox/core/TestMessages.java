package io.whatsappoutbox.core;

import java.time.Instant;

/** Builds stored messages for tests of rules that read them. */
public final class TestMessages {
    private TestMessages() {}

    public static OutboundMessage stored(long id, OutboundMessageRequest r, MessageStatus status, Instant now) {
        return new OutboundMessage(id, r.orgId(), r.dossierId(), r.channel(), r.to(), r.content(), status,
                r.idempotencyKey(), 0, r.maxAttempts() == null ? 5 : r.maxAttempts(), 0, now, null, null,
                r.fallbackOf(), now, now, null, null, null, r.createdBy(), r.createdBy(), r.purpose());
    }

    public static OutboundMessage whatsappText(String text, Instant now) {
        return stored(1, OutboundMessageRequest.whatsapp("org-1", "+33612345678").text(text).build(),
                MessageStatus.SENDING, now);
    }

    public static OutboundMessage whatsappTemplate(Instant now) {
        return stored(1, OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .template("appointment_reminder", "fr", "lundi").build(), MessageStatus.SENDING, now);
    }

    public static OutboundMessage smsText(String text, Instant now) {
        return stored(1, OutboundMessageRequest.sms("org-1", "+33612345678").text(text).build(),
                MessageStatus.SENDING, now);
    }
}
