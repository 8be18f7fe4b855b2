package io.whatsappoutbox.core;

import io.whatsappoutbox.core.testing.ApiListing;
import org.junit.jupiter.api.Test;

/** Core's public API is the checked-in api/whatsapp-outbox-core.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(OutboundMessageRequest.class, "whatsapp-outbox-core");
    }
}
