package io.whatsappoutbox.core;

import io.whatsappoutbox.core.testing.ApiListing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Core's public API is the checked-in api/whatsapp-outbox-core.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(OutboundMessageRequest.class, "whatsapp-outbox-core", List.of(
                // goes with the restructuring of the webhook side (issue 23): metrics through a listener
                "  public io.whatsappoutbox.core.webhook.WebhookProcessor build(io.whatsappoutbox.core.internal.OutboxMetrics)"));
    }
}
