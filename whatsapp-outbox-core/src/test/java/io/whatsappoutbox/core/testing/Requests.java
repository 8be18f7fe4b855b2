package io.whatsappoutbox.core.testing;

import io.whatsappoutbox.core.OutboundMessageRequest;

/** Requests for tests: valid by default, numbered recipients. */
public final class Requests {
    private Requests() {}

    public static String phone(int n) {
        return String.format("+336%08d", n);
    }

    public static OutboundMessageRequest template(String org, int n) {
        return OutboundMessageRequest.whatsapp(org, phone(n))
                .template("appointment_reminder", "fr", "lundi " + n)
                .idempotencyKey("key-" + n)
                .build();
    }

    public static OutboundMessageRequest text(String org, int n, String text) {
        return OutboundMessageRequest.whatsapp(org, phone(n)).text(text).idempotencyKey("text-" + n).build();
    }
}
