package io.whatsappoutbox.sms.internal;

/** A form body that is not valid {@code application/x-www-form-urlencoded} UTF-8. */
public final class MalformedFormException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedFormException(String message) {
        super(message);
    }
}
