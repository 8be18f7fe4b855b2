package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import java.util.regex.Pattern;

/**
 * An org's WhatsApp provider configuration as a host saves it (the runbook's
 * {@code whatsapp_provider_config}). Secrets are sealed with the host's {@link EncryptionKeys}
 * before they reach the table; {@code toString} never shows them.
 *
 * @param webhookSecret the secret Meta signs webhooks with for this org (its app secret), or null
 * @param messagesPerSecond pacing for this sending number, or null for the dispatcher's default
 */
public record ProviderConfig(String orgId, String phoneNumberId, String businessAccountId, Secret accessToken,
        Secret webhookSecret, boolean enabled, Integer messagesPerSecond) {
    private static final Pattern META_ID = Pattern.compile("[0-9]+");

    public ProviderConfig {
        Violations v = new Violations();
        v.orgId("orgId", orgId);
        v.text("phoneNumberId", phoneNumberId, 32, META_ID, "Meta's numeric phone number id");
        v.optionalText("businessAccountId", businessAccountId, 32, META_ID, "Meta's numeric business account id");
        v.requireNonNull("accessToken", accessToken);
        if (messagesPerSecond != null) {
            v.range("messagesPerSecond", messagesPerSecond, 1, 10_000);
        }
        v.throwIfAny("provider config");
    }

    public static ProviderConfig of(String orgId, String phoneNumberId, Secret accessToken, Secret webhookSecret) {
        return new ProviderConfig(orgId, phoneNumberId, null, accessToken, webhookSecret, true, null);
    }

    @Override
    public String toString() {
        return "ProviderConfig[orgId=" + orgId + ", phoneNumberId=" + phoneNumberId + ", businessAccountId="
                + businessAccountId + ", accessToken=****, webhookSecret=" + (webhookSecret == null ? "none" : "****")
                + ", enabled=" + enabled + ", messagesPerSecond=" + messagesPerSecond + "]";
    }
}
