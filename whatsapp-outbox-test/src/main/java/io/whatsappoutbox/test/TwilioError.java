package io.whatsappoutbox.test;

import java.util.Objects;

/**
 * An error the Twilio stub answers a send with ({@code {"code","message","more_info","status"}},
 * as Twilio's REST API writes it). Delivery errors that come later, in a status callback, are only a
 * code: see {@link TwilioStub#undelivered}. The constants are the codes a host meets most; {@link #of}
 * makes any other.
 */
public record TwilioError(int code, int httpStatus, String message) {
    /** The recipient replied STOP: the outbox revokes SMS consent. */
    public static final TwilioError UNSUBSCRIBED = of(21610, 400, "Attempt to send to unsubscribed recipient");
    /** The {@code To} number is not a valid phone number. */
    public static final TwilioError INVALID_TO = of(21211, 400, "Invalid 'To' Phone Number");
    /** Too many concurrent requests on the account. */
    public static final TwilioError TOO_MANY_REQUESTS = of(20429, 429, "Too Many Requests");
    /** The account SID or auth token is wrong. */
    public static final TwilioError AUTHENTICATION = of(20003, 401, "Authenticate");

    public TwilioError {
        Objects.requireNonNull(message, "message");
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: must be an error status (400-599), was " + httpStatus);
        }
    }

    public static TwilioError of(int code, int httpStatus, String message) {
        return new TwilioError(code, httpStatus, message);
    }
}
