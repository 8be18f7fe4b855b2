package io.whatsappoutbox.core.webhook;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.SafeText;
import java.time.Instant;
import java.util.Objects;

/**
 * A provider's status report about a message it accepted.
 *
 * @param providerMessageId Meta's wamid, Twilio's message sid
 * @param occurredAt the provider's timestamp, or the receive time when it gave none
 * @param error the failure, for {@link DeliveryStatus#FAILED} only
 * @param orgId the org the provider said this is for (Meta routes by phone number id), or null
 *     when the provider does not say (one SMS account for every org): when set, the receipt only
 *     applies to a message of that org
 * @param pricing what the provider says the message costs (Meta's {@code pricing} and
 *     {@code conversation}), or null when it says nothing
 */
public record DeliveryReceipt(Channel channel, String providerMessageId, DeliveryStatus status, Instant occurredAt,
        ProviderError error, String orgId, Pricing pricing) {

    /**
     * Meta's {@code statuses[].pricing} and {@code statuses[].conversation}; every part optional.
     *
     * @param billable whether Meta charges for the message, or null when it did not say
     * @param pricingModel {@code PMP} (per message) or {@code CBP} (per conversation, before July 2025)
     * @param category {@code marketing}, {@code utility}, {@code authentication}, {@code service},
     *     {@code referral_conversion} ... as Meta writes it
     * @param type {@code regular}, {@code free_customer_service}, {@code free_entry_point}
     * @param conversationId Meta's conversation id, or null
     * @param conversationOrigin {@code conversation.origin.type}, or null
     * @param conversationExpiresAt {@code conversation.expiration_timestamp}, or null
     */
    public record Pricing(Boolean billable, String pricingModel, String category, String type, String conversationId,
            String conversationOrigin, Instant conversationExpiresAt) {}

    public DeliveryReceipt(Channel channel, String providerMessageId, DeliveryStatus status, Instant occurredAt,
            ProviderError error, String orgId) {
        this(channel, providerMessageId, status, occurredAt, error, orgId, null);
    }

    public DeliveryReceipt(Channel channel, String providerMessageId, DeliveryStatus status, Instant occurredAt,
            ProviderError error) {
        this(channel, providerMessageId, status, occurredAt, error, null, null);
    }

    public DeliveryReceipt {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(providerMessageId, "providerMessageId");
        // cleaned as the send's id was: the receipt still finds its message
        providerMessageId = SafeText.id(providerMessageId);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (status == DeliveryStatus.FAILED && error == null) {
            error = ProviderError.of("UNKNOWN", 0, "failed receipt without error details");
        }
    }

    /** Without the error's texts: a provider may quote the recipient in them. */
    @Override
    public String toString() {
        return "DeliveryReceipt[channel=" + channel + ", providerMessageId=" + providerMessageId + ", status=" + status
                + ", occurredAt=" + occurredAt + ", error=" + (error == null ? null : error.code()) + ", orgId=" + orgId
                + ", pricing=" + pricing + "]";
    }

    /** The key that makes a second delivery of the same receipt a duplicate. */
    public String dedupeKey() {
        return channel.name() + ":" + providerMessageId + ":" + status.name();
    }
}
