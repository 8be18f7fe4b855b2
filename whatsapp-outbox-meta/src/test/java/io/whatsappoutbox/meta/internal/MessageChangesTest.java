package io.whatsappoutbox.meta.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import org.junit.jupiter.api.Test;

/** A {@code messages} change's items as the parser applies them, once routed to an org. */
class MessageChangesTest {
    @Test
    void aStatusWordThatIsNoDeliveryOutcomeGivesNoReceipt() throws Exception {
        assertThat(MessageChanges.receipt(json("{\"id\":\"wamid.1\",\"status\":\"warning\",\"timestamp\":\"1700000000\"}"),
                "s", "org-1")).isNull();
    }

    @Test
    void aFailedStatusCarriesMetasCodeForTheRoutedOrg() throws Exception {
        DeliveryReceipt r = MessageChanges.receipt(json("{\"id\":\"wamid.1\",\"status\":\"failed\","
                + "\"timestamp\":1700000000,\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\"}]}"),
                "s", "org-1");

        assertThat(r.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(r.orgId()).isEqualTo("org-1");
        assertThat(r.error().code()).isEqualTo("131026");
    }

    @Test
    void aMessageFromAUserWithoutPhoneNumberGivesNoInboundMessage() throws Exception {
        assertThat(MessageChanges.inbound(json("{\"id\":\"wamid.2\",\"type\":\"text\",\"timestamp\":\"1700000000\","
                + "\"text\":{\"body\":\"hi\"}}"), "m", "org-1", null)).isNull();
    }

    @Test
    void aMessageWithABadTimestampNamesItsPath() {
        assertThatThrownBy(() -> MessageChanges.inbound(json("{\"id\":\"wamid.2\",\"type\":\"text\","
                + "\"timestamp\":\"soon\",\"from\":\"33612345678\"}"), "entry[0].m", "org-1", null))
                .isInstanceOf(WebhookPayloadException.class)
                .hasMessage("entry[0].m.timestamp is not epoch seconds");
    }

    private static JsonNode json(String s) throws Exception {
        return MetaJson.newMapper().readTree(s);
    }
}
