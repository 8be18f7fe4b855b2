package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.SafeText;
import java.util.Objects;

/** A provider's answer to one send. */
public sealed interface SendResult permits SendResult.Accepted, SendResult.Rejected {

    /**
     * The provider took the message (not yet delivered).
     *
     * @param providerMessageId Meta's {@code wamid...}, Twilio's {@code SM...}
     * @param providerStatus the provider's own word, such as Meta's {@code message_status}, or null
     */
    record Accepted(String providerMessageId, String providerStatus) implements SendResult {
        /** The id and status are cleaned here, where a provider's answer enters the outbox: see {@link SafeText#id}. */
        public Accepted {
            Objects.requireNonNull(providerMessageId, "providerMessageId");
            providerMessageId = SafeText.id(providerMessageId);
            providerStatus = SafeText.id(providerStatus);
            if (providerMessageId.isBlank()) {
                throw new IllegalArgumentException("providerMessageId must not be blank");
            }
        }
    }

    /** The provider refused the message, or could not be reached. */
    record Rejected(ProviderError error) implements SendResult {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }
    }

    static SendResult accepted(String providerMessageId) {
        return new Accepted(providerMessageId, null);
    }

    static SendResult rejected(ProviderError error) {
        return new Rejected(error);
    }
}
