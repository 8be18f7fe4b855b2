package io.whatsappoutbox.core.spi;

import java.util.List;
import java.util.Optional;

/**
 * Looks up orgs' WhatsApp accounts: by org to send, by phone number id to route a webhook. The
 * JDBC store implements it over {@code whatsapp_provider_config} with a short cache; a host with
 * one static account can pass a lambda-backed implementation.
 */
public interface WhatsAppAccounts {

    Optional<WhatsAppAccount> forOrg(String orgId);

    Optional<WhatsAppAccount> forPhoneNumberId(String phoneNumberId);

    /**
     * Every org's account in a WhatsApp Business Account (Meta's {@code entry.id} of the template,
     * number quality and account webhooks), enabled or not: the orgs such a webhook applies to,
     * whose secrets must all have signed it. The default knows none, so those webhooks are skipped
     * rather than applied unverified: a host receiving them implements it.
     */
    default List<WhatsAppAccount> forBusinessAccountId(String businessAccountId) {
        return List.of();
    }
}
