package io.whatsappoutbox.jdbc.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What WhatsApp messages created over a period were sent, delivered and billed, per org, template
 * and Meta's pricing category (from the receipts' {@code pricing}, on the attempt that sent them).
 *
 * @param window how far back messages were counted (by creation)
 */
public record UsageReport(Instant asOf, String scope, Duration window, List<Row> rows) {
    public UsageReport {
        rows = List.copyOf(rows);
    }

    /**
     * @param template the template's name, or {@code -} for a message that is no template
     * @param pricingCategory Meta's category ({@code utility}, {@code marketing} ...), or {@code -} when no
     *     receipt said
     * @param billable messages Meta said it charges for
     */
    public record Row(String orgId, String template, String pricingCategory, long sent, long delivered,
            long billable) {}
}
