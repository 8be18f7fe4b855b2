package io.whatsappoutbox.core;

/** The kind of content, as stored in {@code outbound_message.content_type}. */
public enum ContentType {
    TEXT,
    TEMPLATE,
    IMAGE,
    DOCUMENT,
    INTERACTIVE_BUTTONS,
    VIDEO,
    AUDIO,
    STICKER,
    LOCATION,
    CONTACTS,
    REACTION,
    INTERACTIVE_LIST,
    INTERACTIVE_CTA_URL
}
