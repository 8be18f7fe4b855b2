package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Priority;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.OutboxObservations;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads {@code outbound_message} rows. Internal. */
public final class MessageRows {
    private static final Logger log = LoggerFactory.getLogger(MessageRows.class);
    /** Every column the mapper reads, for SELECT and RETURNING lists. */
    public static final String COLUMNS = """
            id, org_id, dossier_id, channel, to_recipient, content_type, payload_json, status,
            idempotency_key, attempt_count, max_attempts, deferral_count, next_attempt_at, error_code,
            error_message, error_category, provider_message_id, fallback_of, created_at, updated_at, sent_at,
            delivered_at, read_at, created_by, updated_by, consent_purpose, recipient_time_zone, send_by, priority,
            ordering_key, trace_context""";

    private final ContentCodec codec;

    public MessageRows(ContentCodec codec) {
        this.codec = codec;
    }

    /** Reads one row; for many rows of one result set, {@link #reader} looks the columns up once. */
    public OutboundMessage map(ResultSet rs) throws SQLException {
        return reader(rs).read(rs);
    }

    /**
     * Reads one row, or logs why it cannot be read and returns null: for views and scans over many
     * messages, which one row this version cannot read must not stop.
     */
    public OutboundMessage mapOrSkip(ResultSet rs, String what) throws SQLException {
        try {
            return map(rs);
        } catch (UnreadableRowException e) {
            log.warn("Skipped message {} in {}: {} {}", e.id(), what, OutboxErrorCodes.UNREADABLE_ROW, e.reason());
            return null;
        }
    }

    /** Reads the rows of {@code rs}, each column's position looked up by name once, not at every row. */
    public Reader reader(ResultSet rs) throws SQLException {
        return new Reader(rs);
    }

    /** A stored error category; one this version does not know (a newer one's, or a typo) is UNKNOWN. */
    public static ErrorCategory category(String name) {
        if (name == null) {
            return ErrorCategory.UNKNOWN;
        }
        try {
            return ErrorCategory.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ErrorCategory.UNKNOWN;
        }
    }

    private static <E extends Enum<E>> E known(Class<E> type, String name, long rowId, String column) {
        try {
            return Enum.valueOf(type, name);
        } catch (RuntimeException e) {
            throw new UnreadableRowException(rowId, column, "is not a known " + type.getSimpleName());
        }
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
        private final int consentPurpose;
        private final int recipientTimeZone;
        private final int sendBy;
        private final int priority;
        private final int orderingKey;
        private final int traceContext;
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
            consentPurpose = rs.findColumn("consent_purpose");
            recipientTimeZone = rs.findColumn("recipient_time_zone");
            sendBy = rs.findColumn("send_by");
            priority = rs.findColumn("priority");
            orderingKey = rs.findColumn("ordering_key");
            traceContext = rs.findColumn("trace_context");
            binaryTimes = Times.sentInBinary(rs, nextAttemptAt) && Times.sentInBinary(rs, createdAt)
                    && Times.sentInBinary(rs, updatedAt) && Times.sentInBinary(rs, sentAt)
                    && Times.sentInBinary(rs, deliveredAt) && Times.sentInBinary(rs, readAt)
                    && Times.sentInBinary(rs, sendBy);
        }

        /**
         * The current row of the result set this reader was made for.
         *
         * @throws UnreadableRowException when a column holds what this version cannot read: an
         *     unknown channel, content type or status, a recipient that is not E.164, a payload
         *     that is not its type's JSON (an unknown error category reads as UNKNOWN instead)
         */
        public OutboundMessage read(ResultSet rs) throws SQLException {
            long rowId = rs.getLong(id);
            String code = rs.getString(errorCode);
            ErrorInfo error = null;
            if (code != null) {
                error = new ErrorInfo(code, rs.getString(errorMessage), category(rs.getString(errorCategory)));
            }
            long fallback = rs.getLong(fallbackOf);
            Long fallbackId = rs.wasNull() ? null : fallback;
            ContentType type = known(ContentType.class, rs.getString(contentType), rowId, "content_type");
            PhoneNumber recipient;
            try {
                recipient = new PhoneNumber(rs.getString(toRecipient));
            } catch (RuntimeException e) {
                throw new UnreadableRowException(rowId, "to_recipient", "is not an E.164 number");
            }
            MessageContent content;
            try {
                content = codec.decode(type, rs.getBytes(payloadJson));
            } catch (RuntimeException e) {
                // the exception's message may quote the payload: only its kind is named
                throw new UnreadableRowException(rowId, "payload_json",
                        "is not a " + type + " payload (" + e.getClass().getSimpleName() + ")");
            }
            return new OutboundMessage(
                    rowId,
                    rs.getString(orgId),
                    rs.getString(dossierId),
                    known(Channel.class, rs.getString(channel), rowId, "channel"),
                    recipient,
                    content,
                    known(MessageStatus.class, rs.getString(status), rowId, "status"),
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
                    rs.getString(updatedBy),
                    known(ConsentPurpose.class, rs.getString(consentPurpose), rowId, "consent_purpose"),
                    zone(rs.getString(recipientTimeZone)),
                    Times.instant(rs, sendBy, binaryTimes),
                    priority(rs.getInt(priority), rowId),
                    rs.getString(orderingKey),
                    OutboxObservations.decode(rs.getString(traceContext)));
        }

        private static Priority priority(int rank, long rowId) {
            if (rank < 0 || rank > 2) {
                throw new UnreadableRowException(rowId, "priority", "is " + rank + ", not a rank of 0 to 2");
            }
            return Priority.ofRank(rank);
        }

        /** A zone this JVM's time-zone data does not know reads as none: the number's zone is taken instead. */
        private static ZoneId zone(String id) {
            if (id == null) {
                return null;
            }
            try {
                return ZoneId.of(id);
            } catch (DateTimeException e) {
                return null;
            }
        }
    }
}
