package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.PhoneNumber;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads {@code outbound_message} rows. Internal. */
public final class MessageRows {
    /** Every column the mapper reads, for SELECT and RETURNING lists. */
    public static final String COLUMNS = """
            id, org_id, dossier_id, channel, to_recipient, content_type, payload_json, content_hash, status,
            idempotency_key, attempt_count, max_attempts, deferral_count, next_attempt_at, error_code,
            error_message, error_category, provider_message_id, fallback_of, created_at, updated_at, sent_at,
            delivered_at, read_at, created_by, updated_by""";

    private final ContentCodec codec;

    public MessageRows(ContentCodec codec) {
        this.codec = codec;
    }

    public OutboundMessage map(ResultSet rs) throws SQLException {
        String errorCode = rs.getString("error_code");
        ErrorInfo error = null;
        if (errorCode != null) {
            String category = rs.getString("error_category");
            error = new ErrorInfo(errorCode, rs.getString("error_message"),
                    category == null ? ErrorCategory.UNKNOWN : ErrorCategory.valueOf(category));
        }
        long fallbackOf = rs.getLong("fallback_of");
        Long fallback = rs.wasNull() ? null : fallbackOf;
        ContentType type = ContentType.valueOf(rs.getString("content_type"));
        return new OutboundMessage(
                rs.getLong("id"),
                rs.getString("org_id"),
                rs.getString("dossier_id"),
                Channel.valueOf(rs.getString("channel")),
                new PhoneNumber(rs.getString("to_recipient")),
                codec.decode(type, rs.getString("payload_json")),
                MessageStatus.valueOf(rs.getString("status")),
                rs.getString("idempotency_key"),
                rs.getInt("attempt_count"),
                rs.getInt("max_attempts"),
                rs.getInt("deferral_count"),
                Times.instant(rs, "next_attempt_at"),
                error,
                rs.getString("provider_message_id"),
                fallback,
                Times.instant(rs, "created_at"),
                Times.instant(rs, "updated_at"),
                Times.instant(rs, "sent_at"),
                Times.instant(rs, "delivered_at"),
                Times.instant(rs, "read_at"),
                rs.getString("created_by"),
                rs.getString("updated_by"));
    }
}
