package io.whatsappoutbox.core;

import java.util.Objects;

/**
 * The last error of a message as stored ({@code error_code}, {@code error_message},
 * {@code error_category}): enough for an operator to decide without reading logs.
 */
public record ErrorInfo(String code, String message, ErrorCategory category) {
    public static final int MESSAGE_MAX = 1000;

    public ErrorInfo {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(category, "category");
        message = message == null ? "" : truncate(message);
    }

    static String truncate(String message) {
        return message.length() <= MESSAGE_MAX ? message : message.substring(0, MESSAGE_MAX - 3) + "...";
    }
}
