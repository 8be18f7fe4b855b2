package io.whatsappoutbox.core;

/**
 * The parameter of one of a template's variable buttons, by its 0-based index in the template.
 *
 * @param value the URL suffix, the quick-reply payload, the coupon code or the one-time password
 */
public record TemplateButton(Type type, int index, String value) {

    /** The button kinds whose parameter a send supplies. */
    public enum Type {
        /** A URL button whose URL ends in a variable: {@code value} is the suffix. */
        URL,
        /** A quick-reply button: {@code value} is the payload that comes back with the customer's tap. */
        QUICK_REPLY,
        /** A copy-code button: {@code value} is the coupon code. */
        COPY_CODE,
        /** An authentication template's copy-code or one-tap button: {@code value} is the code. */
        ONE_TIME_PASSWORD
    }

    @Override
    public String toString() {
        return type + " button " + index;
    }
}
