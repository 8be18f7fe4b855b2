package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows of {@code pending_receipt}: receipts that arrived before their message's provider id. Internal. */
final class PendingReceipts {
    private PendingReceipts() {}

    static DeliveryReceipt fromRow(ResultSet rs) throws SQLException {
        DeliveryStatus status = DeliveryStatus.valueOf(rs.getString("status"));
        String code = rs.getString("error_code");
        ProviderError error = code == null ? null
                : new ProviderError(code, 0, rs.getString("error_message"), rs.getString("error_details"), null, null);
        return new DeliveryReceipt(Channel.valueOf(rs.getString("channel")), rs.getString("provider_message_id"), status,
                Times.instant(rs, "occurred_at"), error, rs.getString("org_id"));
    }
}
