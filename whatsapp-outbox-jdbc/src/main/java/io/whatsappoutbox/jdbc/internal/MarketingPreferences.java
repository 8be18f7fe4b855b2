package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.LifecycleEvent.MarketingPreferenceChanged;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Meta's {@code user_preferences} webhook, in the webhook batch's transaction: a customer's
 * marketing stop revokes the org's WhatsApp MARKETING consent, a resume grants it back. The
 * TRANSACTIONAL consent is left alone: a customer who stops offers still gets reminders. Each
 * event is applied once (the webhook's dedupe keys). Internal.
 */
final class MarketingPreferences {
    private MarketingPreferences() {}

    /** What a batch's preference events did. */

    /** Applies the preference changes of {@code events}, already deduplicated. */
    static void apply(Handle h, List<LifecycleEvent> events, Instant now) {
        List<MarketingPreferenceChanged> changes = events.stream()
                .filter(MarketingPreferenceChanged.class::isInstance).map(MarketingPreferenceChanged.class::cast)
                .toList();
        // in the order they happened: a stop then a resume in one batch leaves the consent granted
        List<MarketingPreferenceChanged> toApply = changes.stream()
                .sorted(Comparator.comparing(MarketingPreferenceChanged::occurredAt)).toList();
        for (MarketingPreferenceChanged c : toApply) {
            JdbcConsents.recordAll(h, List.of(new JdbcConsents.Key(c.orgId(), c.customer().value(), Channel.WHATSAPP,
                            ConsentPurpose.MARKETING)), c.stopped() ? ConsentStatus.REVOKED : ConsentStatus.GRANTED,
                    c.stopped() ? "meta marketing preference: stop" : "meta marketing preference: resume", now);
        }
    }
}
