package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.Secret;
import java.util.Objects;

/**
 * An org's WhatsApp Business sending identity (the runbook's {@code whatsapp_provider_config}):
 * the Meta phone number id it sends from and the access token it sends with.
 */
public record WhatsAppAccount(String orgId, String phoneNumberId, String businessAccountId, Secret accessToken,
        boolean enabled) {
    public WhatsAppAccount {
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(phoneNumberId, "phoneNumberId");
    }

    @Override
    public String toString() {
        return "WhatsAppAccount[orgId=" + orgId + ", phoneNumberId=" + phoneNumberId + ", businessAccountId="
                + businessAccountId + ", accessToken=" + (accessToken == null ? "none" : "****") + ", enabled="
                + enabled + "]";
    }
}
