package io.whatsappoutbox.core;

/**
 * What a consent is for. A customer who accepts appointment reminders has not accepted offers:
 * Meta's MARKETING templates need marketing consent, every other message (utility and
 * authentication templates, replies inside the session window, SMS notices) the channel's
 * transactional consent.
 */
public enum ConsentPurpose {
    /** Utility, authentication and session messages: what the customer asked for or expects. */
    TRANSACTIONAL,
    /** Offers, campaigns, new listings: Meta's MARKETING category. */
    MARKETING
}
