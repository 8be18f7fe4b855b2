package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.TestMessages;
import java.time.Instant;

/** Values shaped like Twilio's, shared by the provider tests. */
final class TwilioFixtures {
    private TwilioFixtures() {}

    static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    static final String TOKEN_VALUE = "f00dfeedcafe1234beef5678deadc0de";
    static final Secret TOKEN = Secret.of(TOKEN_VALUE);
    static final String MESSAGING_SERVICE_SID = "MG9876543210fedcba9876543210fedcba";
    static final String FROM = "+15017122661";
    static final String TO = "+33612345678";
    static final String MESSAGE_SID = "SM1f2e3d4c5b6a79881f2e3d4c5b6a7988";
    static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    static OutboundMessage sms(String text) {
        return TestMessages.stored(42, OutboundMessageRequest.sms("org-7", TO).text(text).build(),
                MessageStatus.SENDING, NOW);
    }

    /** Twilio's 201 body for a message it queued, extra and future fields included. */
    static String created(String status) {
        return """
                {
                  "account_sid": "%s",
                  "api_version": "2010-04-01",
                  "body": "Your appointment is tomorrow at 10:00",
                  "date_created": "Thu, 01 Jan 2026 00:00:00 +0000",
                  "date_sent": null,
                  "date_updated": "Thu, 01 Jan 2026 00:00:00 +0000",
                  "direction": "outbound-api",
                  "error_code": null,
                  "error_message": null,
                  "from": "%s",
                  "messaging_service_sid": null,
                  "num_media": "0",
                  "num_segments": "1",
                  "price": null,
                  "price_unit": "USD",
                  "sid": "%s",
                  "status": "%s",
                  "subresource_uris": {"media": "/2010-04-01/Accounts/%s/Messages/%s/Media.json"},
                  "to": "%s",
                  "uri": "/2010-04-01/Accounts/%s/Messages/%s.json",
                  "a_field_twilio_adds_later": {"nested": [1, 2, 3]}
                }
                """.formatted(ACCOUNT_SID, FROM, MESSAGE_SID, status, ACCOUNT_SID, MESSAGE_SID, TO, ACCOUNT_SID,
                MESSAGE_SID);
    }

    /** Twilio's error body: numeric code, message, more_info, status. */
    static String error(int code, String message, int status) {
        return """
                {"code": %d, "message": "%s", "more_info": "https://www.twilio.com/docs/errors/%d", "status": %d}
                """.formatted(code, message, code, status);
    }
}
