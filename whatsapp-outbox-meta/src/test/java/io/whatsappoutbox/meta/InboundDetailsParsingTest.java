package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.InboundMessage.Details;
import org.junit.jupiter.api.Test;

/**
 * Inbound messages keep what they carry, in the shapes of Meta's messages webhook reference
 * (image, document, sticker, location, contacts, reaction, interactive, button, order, edit, revoke).
 */
class InboundDetailsParsingTest {
    static final String FROM = "16505551234";
    final RecordingSink sink = new RecordingSink();
    final MetaWebhookHandler handler = Webhooks.handler(sink).build();

    /** One message of Meta's shape from {@link #FROM}, with Meta's contacts block naming Sheena Nelson. */
    private InboundMessage one(String type, String typeFields) {
        String message = "{\"from\":\"" + FROM + "\",\"id\":\"wamid.in-" + type + "\",\"timestamp\":\"1749416383\","
                + "\"type\":\"" + type + "\"" + (typeFields.isEmpty() ? "" : "," + typeFields) + "}";
        String value = "\"contacts\":[{\"profile\":{\"name\":\"Sheena Nelson\"},\"wa_id\":\"" + FROM + "\"}],"
                + "\"messages\":[" + message + "]";
        assertThat(handler.handle(Webhooks.signed(envelope(entry("102290129340398", change(PHONE_ID_1, value)))))
                .status()).isEqualTo(200);
        return sink.inbound().get(0);
    }

    @Test
    void anImageKeepsItsMediaIdTypeAndCaptionAndTheSendersProfileName() {
        InboundMessage m = one("image", "\"image\":{\"caption\":\"Ma facture\",\"mime_type\":\"image/jpeg\","
                + "\"sha256\":\"abc\",\"id\":\"1003383421387256\"}");

        assertThat(m.details().profileName()).isEqualTo("Sheena Nelson");
        assertThat(m.details().mediaId()).isEqualTo("1003383421387256");
        assertThat(m.details().mimeType()).isEqualTo("image/jpeg");
        assertThat(m.details().caption()).isEqualTo("Ma facture");
        assertThat(m.text()).isNull();
        assertThat(m.isTypedText()).isFalse();
        assertThat(m.opensServiceWindow()).isTrue();
    }

    @Test
    void aDocumentKeepsItsFilenameAndAStickerItsMedia() {
        assertThat(one("document", "\"document\":{\"filename\":\"contrat.pdf\",\"mime_type\":\"application/pdf\","
                + "\"sha256\":\"x\",\"id\":\"42\"}").details().filename()).isEqualTo("contrat.pdf");
        sink.batches.clear();
        assertThat(one("sticker", "\"sticker\":{\"mime_type\":\"image/webp\",\"sha256\":\"x\",\"id\":\"43\","
                + "\"animated\":false}").details().mediaId()).isEqualTo("43");
    }

    @Test
    void aLocationKeepsItsCoordinatesNameAndAddressButToStringShowsNone() {
        InboundMessage m = one("location", "\"location\":{\"address\":\"1 Hacker Way, Menlo Park, CA 94025\","
                + "\"latitude\":37.483307,\"longitude\":-122.148984,\"name\":\"Main Street Beach\","
                + "\"url\":\"https://www.example.com\"}");

        assertThat(m.details().latitude()).isEqualTo(37.483307);
        assertThat(m.details().longitude()).isEqualTo(-122.148984);
        assertThat(m.details().locationName()).isEqualTo("Main Street Beach");
        assertThat(m.details().locationAddress()).isEqualTo("1 Hacker Way, Menlo Park, CA 94025");
        assertThat(m.toString()).contains("location").doesNotContain("37.48").doesNotContain("Hacker")
                .doesNotContain("Sheena").doesNotContain(FROM);
    }

    @Test
    void sharedContactsAreKeptAsMetasJsonAndNeverPrinted() {
        InboundMessage m = one("contacts", "\"contacts\":[{\"name\":{\"formatted_name\":\"Barbara J. Johnson\","
                + "\"first_name\":\"Barbara\"},\"phones\":[{\"phone\":\"+1 (940) 555-1234\",\"type\":\"HOME\","
                + "\"wa_id\":\"19405551234\"}]}]");

        assertThat(m.details().contactsJson()).contains("Barbara J. Johnson").contains("19405551234");
        assertThat(m.toString()).doesNotContain("Barbara").doesNotContain("19405551234");
    }

    @Test
    void aReactionNamesItsMessageAndDoesNotOpenTheWindow() {
        InboundMessage m = one("reaction", "\"reaction\":{\"message_id\":\"wamid.ours\",\"emoji\":\"\\uD83D\\uDE00\"}");

        assertThat(m.details().reactedMessageId()).isEqualTo("wamid.ours");
        assertThat(m.details().reactionEmoji()).isEqualTo("\uD83D\uDE00");
        assertThat(m.opensServiceWindow()).isFalse();
    }

    @Test
    void aRemovedReactionHasNoEmoji() {
        InboundMessage m = one("reaction", "\"reaction\":{\"message_id\":\"wamid.ours\"}");

        assertThat(m.details().reactedMessageId()).isEqualTo("wamid.ours");
        assertThat(m.details().reactionEmoji()).isNull();
    }

    @Test
    void aListReplyKeepsIdTitleAndDescriptionAndAButtonItsPayloadAndText() {
        InboundMessage list = one("interactive", "\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":"
                + "\"priority_express\",\"title\":\"Priority Mail Express\",\"description\":\"Next Day to 2 Days\"}}");
        assertThat(list.payload()).isEqualTo("priority_express");
        assertThat(list.text()).isEqualTo("Priority Mail Express");
        assertThat(list.details().replyDescription()).isEqualTo("Next Day to 2 Days");
        sink.batches.clear();

        InboundMessage button = one("button", "\"context\":{\"from\":\"15550783881\",\"id\":\"wamid.ours\"},"
                + "\"button\":{\"payload\":\"unsubscribe\",\"text\":\"Unsubscribe\"}");
        assertThat(button.payload()).isEqualTo("unsubscribe");
        assertThat(button.text()).isEqualTo("Unsubscribe");
        assertThat(button.contextMessageId()).isEqualTo("wamid.ours");
        assertThat(button.isTypedText()).isFalse();
    }

    @Test
    void anOrderKeepsItsCatalogAndItems() {
        InboundMessage m = one("order", "\"order\":{\"catalog_id\":\"367025965434465\",\"text\":\"Merci\","
                + "\"product_items\":[{\"product_retailer_id\":\"di9ozbzfi4\",\"quantity\":1,\"item_price\":30,"
                + "\"currency\":\"USD\"}]}");

        assertThat(m.details().orderCatalogId()).isEqualTo("367025965434465");
        assertThat(m.details().orderItemsJson()).contains("di9ozbzfi4");
    }

    @Test
    void anEditIsStoredAsAnEditOfTheOriginalAndOpensNoWindow() {
        InboundMessage m = one("edit", "\"edit\":{\"original_message_id\":\"wamid.original\",\"message\":{"
                + "\"context\":{\"from\":\"15550783881\",\"id\":\"wamid.ours\"},\"type\":\"text\","
                + "\"text\":{\"body\":\"STOP finalement non\"}}}");

        assertThat(m.type()).isEqualTo("edit");
        assertThat(m.details().editedMessageId()).isEqualTo("wamid.original");
        assertThat(m.text()).isEqualTo("STOP finalement non");
        assertThat(m.contextMessageId()).isEqualTo("wamid.ours");
        assertThat(m.isTypedText()).isFalse();
        assertThat(m.opensServiceWindow()).isFalse();
    }

    @Test
    void aRevokeNamesTheDeletedMessageAndOpensNoWindow() {
        InboundMessage m = one("revoke", "\"revoke\":{\"original_message_id\":\"wamid.original\"}");

        assertThat(m.details().revokedMessageId()).isEqualTo("wamid.original");
        assertThat(m.text()).isNull();
        assertThat(m.opensServiceWindow()).isFalse();
    }

    @Test
    void contactsJsonIsCapped() {
        Details d = new Details(null, null, null, null, null, null, null, null, null, "x".repeat(20_000), null, null,
                null, null, null, null, null);
        assertThat(d.contactsJson()).hasSize(Details.CONTACTS_MAX);
    }
}
