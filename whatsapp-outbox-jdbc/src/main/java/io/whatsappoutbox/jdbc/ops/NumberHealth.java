package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.List;

/**
 * A sending number's standing as Meta last reported it ({@code phone_number_quality_update}).
 *
 * @param displayPhoneNumber masked, as every phone number the outbox shows
 * @param orgIds the orgs of the business account (of the scope)
 * @param qualityRating GREEN, YELLOW, RED, or null when not reported yet
 * @param messagingLimit Meta's tier (TIER_1K, ...), or null when not reported yet
 */
public record NumberHealth(String businessAccountId, String displayPhoneNumber, List<String> orgIds,
        String qualityRating, String messagingLimit, String lastEvent, Instant updatedAt) {
    public NumberHealth {
        orgIds = List.copyOf(orgIds);
    }
}
