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
            id, org_id, dossier_id, channel, to_recipient, content_type, payload_json, status,
            idempotency_key, attempt_count, max_attempts, deferral_count, next_attempt_at, error_code,
            error_message, error_category, provider_message_id, fallback_of, created_at, updated_at, sent_at,
            delivered_at, read_at, created_by, updated_by""";

    private final ContentCodec codec;

    public MessageRows(ContentCodec codec) {
        this.codec = codec;
    }

    /** Reads one row; for many rows of one result set, {@link #reader} looks the columns up once. */
    public OutboundMessage map(ResultSet rs) throws SQLException {
        return reader(rs).read(rs);
    }

    /** Reads the rows of {@code rs}, each column's position looked up by name once, not at every row. */
    public Reader reader(ResultSet rs) throws SQLException {
        return new Reader(rs);
    }

    public final class Reader {
        private final int id;
        private final int orgId;
        private final int dossierId;
        private final int channel;
        private final int toRecipient;
        private final int contentType;
        private final int payloadJson;
        private final int status;
        private final int idempotencyKey;
        private final int attemptCount;
        private final int maxAttempts;
        private final int deferralCount;
        private final int nextAttemptAt;
        private final int errorCode;
        private final int errorMessage;
        private final int errorCategory;
        private final int providerMessageId;
        private final int fallbackOf;
        private final int createdAt;
        private final int updatedAt;
        private final int sentAt;
        private final int deliveredAt;
        private final int readAt;
        private final int createdBy;
        private final int updatedBy;
        private final boolean binaryTimes;

        private Reader(ResultSet rs) throws SQLException {
            id = rs.findColumn("id");
            orgId = rs.findColumn("org_id");
            dossierId = rs.findColumn("dossier_id");
            channel = rs.findColumn("channel");
            toRecipient = rs.findColumn("to_recipient");
            contentType = rs.findColumn("content_type");
            payloadJson = rs.findColumn("payload_json");
            status = rs.findColumn("status");
            idempotencyKey = rs.findColumn("idempotency_key");
            attemptCount = rs.findColumn("attempt_count");
            maxAttempts = rs.findColumn("max_attempts");
            deferralCount = rs.findColumn("deferral_count");
            nextAttemptAt = rs.findColumn("next_attempt_at");
            errorCode = rs.findColumn("error_code");
            errorMessage = rs.findColumn("error_message");
            errorCategory = rs.findColumn("error_category");
            providerMessageId = rs.findColumn("provider_message_id");
            fallbackOf = rs.findColumn("fallback_of");
            createdAt = rs.findColumn("created_at");
            updatedAt = rs.findColumn("updated_at");
            sentAt = rs.findColumn("sent_at");
            deliveredAt = rs.findColumn("delivered_at");
            readAt = rs.findColumn("read_at");
            createdBy = rs.findColumn("created_by");
            updatedBy = rs.findColumn("updated_by");
            binaryTimes = Times.sentInBinary(rs, nextAttemptAt) && Times.sentInBinary(rs, createdAt)
                    && Times.sentInBinary(rs, updatedAt) && Times.sentInBinary(rs, sentAt)
                    && Times.sentInBinary(rs, deliveredAt) && Times.sentInBinary(rs, readAt);
        }

        /** The current row of the result set this reader was made for. */
        public OutboundMessage read(ResultSet rs) throws SQLException {
            String code = rs.getString(errorCode);
            ErrorInfo error = null;
            if (code != null) {
                String category = rs.getString(errorCategory);
                error = new ErrorInfo(code, rs.getString(errorMessage),
                        category == null ? ErrorCategory.UNKNOWN : ErrorCategory.valueOf(category));
            }
            long fallback = rs.getLong(fallbackOf);
            Long fallbackId = rs.wasNull() ? null : fallback;
            ContentType type = ContentType.valueOf(rs.getString(contentType));
            return new OutboundMessage(
                    rs.getLong(id),
                    rs.getString(orgId),
                    rs.getString(dossierId),
                    Channel.valueOf(rs.getString(channel)),
                    new PhoneNumber(rs.getString(toRecipient)),
                    codec.decode(type, rs.getBytes(payloadJson)),
                    MessageStatus.valueOf(rs.getString(status)),
                    rs.getString(idempotencyKey),
                    rs.getInt(attemptCount),
                    rs.getInt(maxAttempts),
                    rs.getInt(deferralCount),
                    Times.instant(rs, nextAttemptAt, binaryTimes),
                    error,
                    rs.getString(providerMessageId),
                    fallbackId,
                    Times.instant(rs, createdAt, binaryTimes),
                    Times.instant(rs, updatedAt, binaryTimes),
                    Times.instant(rs, sentAt, binaryTimes),
                    Times.instant(rs, deliveredAt, binaryTimes),
                    Times.instant(rs, readAt, binaryTimes),
                    rs.getString(createdBy),
                    rs.getString(updatedBy));
        }
    }
}
