package io.whatsappoutbox.core;

/** The channel an outbound message travels on. */
public enum Channel {
    WHATSAPP,
    SMS
}
