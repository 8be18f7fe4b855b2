package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows of {@code pending_receipt}: receipts that arrived before their message's provider id. Internal. */
final class PendingReceipts {
    /** The pricing a waiting receipt keeps (V6). */
    static final String PRICING_COLUMNS = "p.pricing_category, p.pricing_model, p.billable, p.conversation_id, "
            + "p.conversation_origin";

    private PendingReceipts() {}

    static DeliveryReceipt fromRow(ResultSet rs) throws SQLException {
        DeliveryStatus status = DeliveryStatus.valueOf(rs.getString("status"));
        String code = rs.getString("error_code");
        ProviderError error = code == null ? null
                : new ProviderError(code, 0, rs.getString("error_message"), rs.getString("error_details"), null, null);
        return new DeliveryReceipt(Channel.valueOf(rs.getString("channel")), rs.getString("provider_message_id"), status,
                Times.instant(rs, "occurred_at"), error, rs.getString("org_id"), pricing(rs));
    }

    private static DeliveryReceipt.Pricing pricing(ResultSet rs) throws SQLException {
        String category = rs.getString("pricing_category");
        String model = rs.getString("pricing_model");
        boolean billable = rs.getBoolean("billable");
        Boolean billableOrNull = rs.wasNull() ? null : billable;
        String conversation = rs.getString("conversation_id");
        String origin = rs.getString("conversation_origin");
        if (category == null && model == null && billableOrNull == null && conversation == null && origin == null) {
            return null;
        }
        return new DeliveryReceipt.Pricing(billableOrNull, model, category, null, conversation, origin, null);
    }
}
