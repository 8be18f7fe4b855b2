package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.APP_SECRET;
import static io.whatsappoutbox.meta.Webhooks.IN_WAMID;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_2;
import static io.whatsappoutbox.meta.Webhooks.WAMID;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static io.whatsappoutbox.meta.Webhooks.failedStatus;
import static io.whatsappoutbox.meta.Webhooks.messages;
import static io.whatsappoutbox.meta.Webhooks.status;
import static io.whatsappoutbox.meta.Webhooks.statuses;
import static io.whatsappoutbox.meta.Webhooks.textMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Meta's statuses and messages become one batch of receipts and inbound messages, routed by org. */
class MetaWebhookParsingTest {
    static final String TS = "1749416383";
    static final Instant AT = Instant.ofEpochSecond(1749416383L);

    final RecordingSink sink = new RecordingSink();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MetaWebhookHandler handler = Webhooks.handler(sink).meterRegistry(registry).build();

    private WebhookResponse handle(String json) {
        return handler.handle(Webhooks.signed(json));
    }

    private static String one(String phoneId, String valueFields) {
        return envelope(entry("102290129340398", change(phoneId, valueFields)));
    }

    @Test
    void statusesBecomeReceipts() {
        WebhookResponse r = handle(one(PHONE_ID_1, statuses(status(WAMID, "sent", TS),
                status(WAMID, "delivered", "1749416390"), status(WAMID, "read", "1749416400"),
                status("wamid.voice", "played", TS))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"received\":4}");
        WebhookBatch batch = sink.only();
        assertThat(batch.source()).isEqualTo("meta");
        assertThat(batch.inbound()).isEmpty();
        DeliveryReceipt.Pricing p = UTILITY;
        assertThat(batch.receipts()).containsExactly(
                new DeliveryReceipt(Channel.WHATSAPP, WAMID, DeliveryStatus.SENT, AT, null, TestAccounts.ORG_1.orgId(), p),
                new DeliveryReceipt(Channel.WHATSAPP, WAMID, DeliveryStatus.DELIVERED, Instant.ofEpochSecond(1749416390L), null, TestAccounts.ORG_1.orgId(), p),
                new DeliveryReceipt(Channel.WHATSAPP, WAMID, DeliveryStatus.READ, Instant.ofEpochSecond(1749416400L), null, TestAccounts.ORG_1.orgId(), p),
                new DeliveryReceipt(Channel.WHATSAPP, "wamid.voice", DeliveryStatus.READ, AT, null, TestAccounts.ORG_1.orgId(), p));
    }

    /** What {@link Webhooks#status} carries. */
    static final DeliveryReceipt.Pricing UTILITY = new DeliveryReceipt.Pricing(true, "PMP", "utility", null, "c0ffee",
            "utility", null);

    @Test
    void aStatusKeepsMetasPricingAndConversation() {
        // Meta's reference: a sent status of a marketing template opening a conversation (CBP era) and PMP's type
        handle(one(PHONE_ID_1, statuses("{\"id\":\"" + WAMID + "\",\"status\":\"sent\",\"timestamp\":\"" + TS
                + "\",\"recipient_id\":\"33612345678\",\"conversation\":{\"id\":\"CONVERSATION_ID\","
                + "\"expiration_timestamp\":\"1749502783\",\"origin\":{\"type\":\"marketing\"}},"
                + "\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"category\":\"marketing\","
                + "\"type\":\"regular\"}}",
                "{\"id\":\"wamid.free\",\"status\":\"delivered\",\"timestamp\":\"" + TS + "\",\"pricing\":"
                + "{\"billable\":false,\"pricing_model\":\"PMP\",\"category\":\"service\","
                + "\"type\":\"free_customer_service\"}}",
                "{\"id\":\"wamid.none\",\"status\":\"read\",\"timestamp\":\"" + TS + "\"}")));

        assertThat(sink.receipts()).extracting(DeliveryReceipt::pricing).containsExactly(
                new DeliveryReceipt.Pricing(true, "PMP", "marketing", "regular", "CONVERSATION_ID", "marketing",
                        Instant.ofEpochSecond(1749502783L)),
                new DeliveryReceipt.Pricing(false, "PMP", "service", "free_customer_service", null, null, null),
                null);
    }

    @Test
    void valueLevelErrorsAreCountedByCodeAndLoggedWithoutDetails() {
        String errors = "\"errors\":[{\"code\":131000,\"title\":\"Something went wrong\",\"message\":"
                + "\"Something went wrong\",\"error_data\":{\"details\":\"Unable to reach +33612345678\"}}]";
        String logged;
        try (LogCapture logs = new LogCapture()) {
            assertThat(handle(one(PHONE_ID_1, errors)).status()).isEqualTo(200);
            logged = logs.all();
        }

        assertThat(registry.get("whatsapp.webhook.errors").tag("code", "131000").counter().count()).isEqualTo(1.0);
        assertThat(logged).contains("131000").contains("Something went wrong").doesNotContain("33612345678");
    }

    @Test
    void failedStatusCarriesMetasError() {
        handle(one(PHONE_ID_1, statuses(failedStatus(WAMID, TS, 131047, "Re-engagement message",
                "Message failed to send because more than 24 hours have passed"))));

        DeliveryReceipt receipt = sink.receipts().get(0);
        assertThat(receipt.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(receipt.error()).isEqualTo(new ProviderError("131047", 0, "Re-engagement message",
                "Message failed to send because more than 24 hours have passed", null, null));
    }

    @Test
    void failedStatusWithMessageButNoTitleUsesTheMessage() {
        handle(one(PHONE_ID_1, statuses("{\"id\":\"" + WAMID + "\",\"status\":\"failed\",\"timestamp\":\"" + TS
                + "\",\"errors\":[{\"code\":131026,\"message\":\"Message undeliverable\"}]}")));

        ProviderError e = sink.receipts().get(0).error();
        assertThat(e.code()).isEqualTo("131026");
        assertThat(e.message()).isEqualTo("Message undeliverable");
        assertThat(e.details()).isNull();
    }

    @Test
    void failedStatusWithoutErrorsStillFails() {
        handle(one(PHONE_ID_1, statuses(status(WAMID, "failed", TS))));

        DeliveryReceipt receipt = sink.receipts().get(0);
        assertThat(receipt.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(receipt.error().code()).isEqualTo("UNKNOWN");
    }

    @Test
    void statusWordsThatAreNoDeliveryOutcomeAreSkipped() {
        WebhookResponse r = handle(one(PHONE_ID_1, statuses(status(WAMID, "deleted", TS),
                status(WAMID, "warning", TS), status(WAMID, "delivered", TS))));

        assertThat(r.body()).isEqualTo("{\"received\":1}");
        assertThat(sink.receipts()).extracting(DeliveryReceipt::status).containsExactly(DeliveryStatus.DELIVERED);
    }

    @Test
    void inboundTextMessage() {
        WebhookResponse r = handle(one(PHONE_ID_1, messages("33612345678",
                textMessage("33612345678", IN_WAMID, TS, "STOP"))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.inbound()).containsExactly(new InboundMessage("org-1", Channel.WHATSAPP,
                PhoneNumber.of("+33612345678"), IN_WAMID, "text", "STOP", null, null, AT,
                new InboundMessage.Details("Jeanne", null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null)));
        assertThat(sink.only().receipts()).isEmpty();
    }

    @Test
    void inboundInteractiveButtonReply() {
        handle(one(PHONE_ID_1, messages("33612345678", "{\"context\":{\"from\":\"15550783881\",\"id\":\"" + WAMID
                + "\"},\"from\":\"33612345678\",\"id\":\"" + IN_WAMID + "\",\"timestamp\":\"" + TS
                + "\",\"type\":\"interactive\",\"interactive\":{\"type\":\"button_reply\","
                + "\"button_reply\":{\"id\":\"yes\",\"title\":\"Oui\"}}}")));

        InboundMessage m = sink.inbound().get(0);
        assertThat(m.type()).isEqualTo("interactive");
        assertThat(m.text()).isEqualTo("Oui");
        assertThat(m.payload()).isEqualTo("yes");
        assertThat(m.contextMessageId()).isEqualTo(WAMID);
    }

    @Test
    void inboundInteractiveListReply() {
        handle(one(PHONE_ID_1, messages("33612345678", "{\"from\":\"33612345678\",\"id\":\"" + IN_WAMID
                + "\",\"timestamp\":\"" + TS + "\",\"type\":\"interactive\",\"interactive\":{\"type\":\"list_reply\","
                + "\"list_reply\":{\"id\":\"slot-2\",\"title\":\"Mardi 10h\",\"description\":\"Agence\"}}}")));

        InboundMessage m = sink.inbound().get(0);
        assertThat(m.text()).isEqualTo("Mardi 10h");
        assertThat(m.payload()).isEqualTo("slot-2");
    }

    @Test
    void inboundTemplateQuickReplyButton() {
        handle(one(PHONE_ID_1, messages("33612345678", "{\"context\":{\"from\":\"15550783881\",\"id\":\"" + WAMID
                + "\"},\"from\":\"33612345678\",\"id\":\"" + IN_WAMID + "\",\"timestamp\":\"" + TS
                + "\",\"type\":\"button\",\"button\":{\"payload\":\"Unsubscribe\",\"text\":\"Se désabonner\"}}")));

        InboundMessage m = sink.inbound().get(0);
        assertThat(m.type()).isEqualTo("button");
        assertThat(m.text()).isEqualTo("Se désabonner");
        assertThat(m.payload()).isEqualTo("Unsubscribe");
        assertThat(m.contextMessageId()).isEqualTo(WAMID);
    }

    @Test
    void inboundMediaHasItsTypeAndNoText() {
        handle(one(PHONE_ID_1, messages("33612345678", "{\"from\":\"33612345678\",\"id\":\"" + IN_WAMID
                + "\",\"timestamp\":\"" + TS + "\",\"type\":\"image\",\"image\":{\"caption\":\"photo\","
                + "\"mime_type\":\"image/jpeg\",\"sha256\":\"abc\",\"id\":\"2754859441498128\"}}")));

        InboundMessage m = sink.inbound().get(0);
        assertThat(m.type()).isEqualTo("image");
        assertThat(m.text()).isNull();
        assertThat(m.payload()).isNull();
    }

    @Test
    void acceptsFromWithALeadingPlus() {
        handle(one(PHONE_ID_1, messages("33612345678", textMessage("+33612345678", IN_WAMID, TS, "hi"))));

        assertThat(sink.inbound().get(0).from()).isEqualTo(PhoneNumber.of("+33612345678"));
    }

    @Test
    void routesEachChangeToTheOrgOfItsPhoneNumberId() {
        handle(envelope(entry("102290129340398",
                        change(PHONE_ID_1, messages("33612345678", textMessage("33612345678", "wamid.in1", TS, "a")))),
                entry("202290129340399",
                        change(PHONE_ID_2, messages("33698765432", textMessage("33698765432", "wamid.in2", TS, "b"))))));

        assertThat(sink.inbound()).extracting(InboundMessage::orgId).containsExactly("org-1", "org-2");
    }

    @Test
    void statusesAndMessagesOfOneChangeTravelInOneBatch() {
        WebhookResponse r = handle(one(PHONE_ID_1, statuses(status(WAMID, "read", TS)) + ","
                + messages("33612345678", textMessage("33612345678", IN_WAMID, TS, "merci"))));

        assertThat(r.body()).isEqualTo("{\"received\":2}");
        assertThat(sink.only().receipts()).hasSize(1);
        assertThat(sink.only().inbound()).hasSize(1);
    }

    @Test
    void aThousandStatusesArriveAsOneBatch() {
        WebhookResponse r = handle(Webhooks.manyStatuses(1000));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"received\":1000}");
        assertThat(sink.receipts()).hasSize(1000);
        assertThat(sink.receipts().stream().map(DeliveryReceipt::providerMessageId).collect(Collectors.toSet()))
                .hasSize(1000);
    }

    @Test
    void aTemplateChangeAndStatusesOfOneEntryTravelTogether() {
        String template = "{\"value\":{\"event\":\"APPROVED\",\"message_template_id\":12345678,"
                + "\"message_template_name\":\"appointment_reminder\",\"message_template_language\":\"fr\"},"
                + "\"field\":\"message_template_status_update\"}";
        WebhookResponse r = handle(envelope(entry("102290129340398", template,
                change(PHONE_ID_1, statuses(status(WAMID, "sent", TS))))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.receipts()).hasSize(1);
        assertThat(sink.only().events()).hasSize(1);
    }

    @Test
    void ignoresFieldsMetaAddsLater() {
        String json = "{\"object\":\"whatsapp_business_account\",\"brand_new\":[1,{\"x\":null}],\"entry\":[{\"id\":\"1\","
                + "\"time\":1749416383,\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{"
                + "\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"" + PHONE_ID_1 + "\",\"extra\":1},"
                + "\"statuses\":[{\"id\":\"" + WAMID + "\",\"status\":\"delivered\",\"timestamp\":\"" + TS + "\","
                + "\"recipient_id\":\"33612345678\",\"recipient_user_id\":\"FR.123\",\"biz_opaque_callback_data\":\"x\"}]},"
                + "\"field\":\"messages\"}]}]}";

        assertThat(handle(json).status()).isEqualTo(200);
        assertThat(sink.receipts()).hasSize(1);
    }

    @Test
    void acceptsATimestampWrittenAsANumber() {
        handle(one(PHONE_ID_1, statuses("{\"id\":\"" + WAMID + "\",\"status\":\"sent\",\"timestamp\":" + TS + "}")));

        assertThat(sink.receipts().get(0).occurredAt()).isEqualTo(AT);
    }

    @Test
    void verifiesTheSignatureOnTheRawEscapedBytes() {
        // Meta writes non-ASCII as \\uXXXX escapes and signs exactly those bytes
        String raw = one(PHONE_ID_1, messages("33612345678",
                textMessage("33612345678", IN_WAMID, TS, "Caf\\u00e9 \\ud83d\\ude00 \\u00e0 10h")));
        byte[] rawBytes = raw.getBytes(StandardCharsets.US_ASCII);
        String reserialised = raw.replace("Caf\\u00e9 \\ud83d\\ude00 \\u00e0", "Café 😀 à");
        byte[] reserialisedBytes = reserialised.getBytes(StandardCharsets.UTF_8);

        WebhookResponse ok = handler.handle(Webhooks.signed(APP_SECRET, rawBytes));

        assertThat(ok.status()).isEqualTo(200);
        assertThat(sink.inbound().get(0).text()).isEqualTo("Café 😀 à 10h");
        // the same document re-serialised by a framework has other bytes: its signature no longer matches
        assertThat(Webhooks.signature(APP_SECRET, reserialisedBytes)).isNotEqualTo(Webhooks.signature(APP_SECRET, rawBytes));
        assertThat(handler.handle(Webhooks.post(reserialisedBytes, Webhooks.signature(APP_SECRET, rawBytes))).status())
                .isEqualTo(401);
    }

    @Test
    void skipsAndCountsAChangeForAnUnknownPhoneNumberId() {
        WebhookResponse r = handle(envelope(entry("102290129340398",
                change("999999999999999", statuses(status("wamid.other", "read", TS))),
                change(PHONE_ID_1, statuses(status(WAMID, "read", TS))))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"received\":1}");
        assertThat(sink.receipts()).extracting(DeliveryReceipt::providerMessageId).containsExactly(WAMID);
        assertThat(registry.get("whatsapp.webhook.skipped").tag("reason", "unknown_phone_number_id").counter().count())
                .isEqualTo(1);
    }

    @Test
    void answers200WithoutCallingTheSinkWhenNothingIsLeft() {
        WebhookResponse r = handle(one("999999999999999", statuses(status("wamid.other", "read", TS))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"received\":0}");
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void answers200ForAnEmptyEntryList() {
        assertThat(handle(envelope()).status()).isEqualTo(200);
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void skipsAndCountsAMessageFromAUserKnownOnlyByABusinessScopedId() {
        String usernameOnly = "{\"from_user_id\":\"US.13491208655302741918\",\"id\":\"wamid.bsuid\",\"timestamp\":\""
                + TS + "\",\"type\":\"text\",\"text\":{\"body\":\"hello\"}}";
        WebhookResponse r = handle(one(PHONE_ID_1, messages("33612345678", usernameOnly,
                textMessage("33612345678", IN_WAMID, TS, "hi"))));

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.inbound()).extracting(InboundMessage::providerMessageId).containsExactly(IN_WAMID);
        assertThat(registry.get("whatsapp.webhook.skipped").tag("reason", "no_phone_number").counter().count())
                .isEqualTo(1);
    }

    @Test
    void routesEachPhoneNumberIdOnlyOnce() {
        TestAccounts accounts = TestAccounts.standard();
        MetaWebhookHandler h = Webhooks.handler(sink).accounts(accounts).build();

        h.handle(Webhooks.signed(Webhooks.manyStatuses(1000)));

        assertThat(accounts.lookups).hasValue(1);
        assertThat(Set.copyOf(sink.receipts()).size()).isEqualTo(1000);
    }
}
