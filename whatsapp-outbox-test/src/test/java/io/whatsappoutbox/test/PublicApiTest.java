package io.whatsappoutbox.test;

import io.whatsappoutbox.core.testing.ApiListing;
import org.junit.jupiter.api.Test;

/** The test kit's public API is the checked-in api/whatsapp-outbox-test.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(OutboxTestKit.class, "whatsapp-outbox-test");
    }
}
