package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.testing.ApiListing;
import org.junit.jupiter.api.Test;

/** The Meta module's public API is the checked-in api/whatsapp-outbox-meta.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(MetaCloudProvider.class, "whatsapp-outbox-meta");
    }
}
