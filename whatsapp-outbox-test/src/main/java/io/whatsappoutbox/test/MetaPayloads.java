package io.whatsappoutbox.test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Meta's JSON in the shapes of its reference: a send's error answer and a status webhook. */
final class MetaPayloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetaPayloads() {}

    /** {@code {"error":{"message","type","code","error_subcode","error_data":{...},"fbtrace_id"}}}. */
    static String errorBody(MetaError e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error").put("message", e.graphMessage()).put("type", "OAuthException")
                .put("code", e.code());
        if (e.code() != 190) {
            error.put("error_subcode", 2494055);
            error.putObject("error_data").put("messaging_product", "whatsapp").put("details", e.details());
        }
        error.put("fbtrace_id", "AKitTrace" + Integer.toHexString(e.hashCode()));
        return root.toString();
    }

    /**
     * {@code {"object":"whatsapp_business_account","entry":[{"id",changes:[{"value":{...,"statuses":[...]},
     * "field":"messages"}]}]}} with one status for {@code send}: conversation and pricing on
     * {@code sent} and {@code delivered}, Meta's {@code errors} on {@code failed}.
     */
    static String statusWebhook(MetaSend send, String status, MetaError error, Instant at) {
        ObjectNode root = JSON.createObjectNode().put("object", "whatsapp_business_account");
        ObjectNode entry = root.putArray("entry").addObject().put("id", MetaStub.BUSINESS_ACCOUNT_ID);
        ObjectNode change = entry.putArray("changes").addObject();
        ObjectNode value = change.putObject("value").put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", "15550783881")
                .put("phone_number_id", send.phoneNumberId());
        ObjectNode s = value.putArray("statuses").addObject().put("id", send.wamid()).put("status", status)
                .put("timestamp", Long.toString(at.getEpochSecond()))
                .put("recipient_id", send.to() == null ? "" : send.to().substring(1));
        if ("sent".equals(status) || "delivered".equals(status)) {
            s.putObject("conversation").put("id", "kit-conversation-" + send.wamid().hashCode())
                    .putObject("origin").put("type", "utility");
            s.putObject("pricing").put("billable", true).put("pricing_model", "PMP").put("category", "utility");
        }
        if (error != null) {
            s.putArray("errors").addObject().put("code", error.code()).put("title", error.message())
                    .put("message", error.message()).put("href",
                            "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/")
                    .putObject("error_data").put("details", error.details());
        }
        change.put("field", "messages");
        return root.toString();
    }
}
