package io.whatsappoutbox.test;

/**
 * A send the Meta stub received, and what it answered.
 *
 * @param phoneNumberId the business phone number id of the URL ({@code /v23.0/<id>/messages})
 * @param to the recipient as sent ({@code +33612345678})
 * @param type Meta's message type: {@code template}, {@code text}, {@code image}...
 * @param templateName the template's name for a template, else null
 * @param body the request body, Meta's JSON
 * @param wamid the message id answered, or null when the stub answered an error
 * @param error the error answered, or null when it accepted the send
 */
public record MetaSend(String phoneNumberId, String to, String type, String templateName, String body, String wamid,
        MetaError error) {
    public boolean accepted() {
        return error == null;
    }

    /** No body, and the recipient masked: a send's body holds the customer's number and words. */
    @Override
    public String toString() {
        return "MetaSend[phoneNumberId=" + phoneNumberId + ", to=" + io.whatsappoutbox.core.PhoneNumber.mask(to) + ", type=" + type
                + ", template=" + templateName + ", " + (error == null ? "wamid=" + wamid : "error=" + error.code()) + "]";
    }
}
