package io.whatsappoutbox.test;

/**
 * A send the Twilio stub received, and what it answered.
 *
 * @param to the recipient ({@code To})
 * @param from the sender ({@code From}), or null when a {@code MessagingServiceSid} was sent
 * @param text the message's text ({@code Body})
 * @param statusCallback the {@code StatusCallback} URL the send carried, or null
 * @param sid the message SID answered, or null when the stub answered an error
 * @param error the error answered, or null when it accepted the send
 */
public record TwilioSend(String to, String from, String text, String statusCallback, String sid, TwilioError error) {
    public boolean accepted() {
        return error == null;
    }

    /** No text, and the numbers masked. */
    @Override
    public String toString() {
        return "TwilioSend[to=" + io.whatsappoutbox.core.PhoneNumber.mask(to) + ", from="
                + io.whatsappoutbox.core.PhoneNumber.mask(from) + ", " + (error == null ? "sid=" + sid : "error=" + error.code())
                + "]";
    }
}
