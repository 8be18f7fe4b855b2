package io.whatsappoutbox.core.spi;

import java.util.Optional;

/**
 * Looks up orgs' WhatsApp accounts: by org to send, by phone number id to route a webhook. The
 * JDBC store implements it over {@code whatsapp_provider_config} with a short cache; a host with
 * one static account can pass a lambda-backed implementation.
 */
public interface WhatsAppAccounts {

    Optional<WhatsAppAccount> forOrg(String orgId);

    Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId);
}
