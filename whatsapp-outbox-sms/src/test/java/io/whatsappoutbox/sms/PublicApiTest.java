package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.testing.ApiListing;
import org.junit.jupiter.api.Test;

/** The SMS module's public API is the checked-in api/whatsapp-outbox-sms.api: growing it is a decision. */
class PublicApiTest {
    @Test
    void isTheCheckedInListing() {
        ApiListing.assertMatches(TwilioSmsProvider.class, "whatsapp-outbox-sms");
    }
}
