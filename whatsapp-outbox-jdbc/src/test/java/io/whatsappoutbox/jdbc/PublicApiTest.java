package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.testing.ApiListing;
import org.junit.jupiter.api.Test;

/** The JDBC store's public API is the checked-in api/whatsapp-outbox-jdbc.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(JdbcOutbox.class, "whatsapp-outbox-jdbc");
    }
}
