package io.whatsappoutbox.sms.internal;

import java.util.Comparator;
import java.util.Objects;

/** One decoded {@code name=value} pair of a form body, in the order it arrived. */
public record FormParam(String name, String value) {
    /** Twilio's signing order: by name, then by value for a name given more than once. */
    public static final Comparator<FormParam> SIGNING_ORDER =
            Comparator.comparing(FormParam::name).thenComparing(FormParam::value);

    public FormParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** Never prints the value: a form carries phone numbers and message text. */
    @Override
    public String toString() {
        return "FormParam[" + name + "]";
    }
}
