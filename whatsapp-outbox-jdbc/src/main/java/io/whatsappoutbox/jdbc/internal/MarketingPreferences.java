package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import io.whatsappoutbox.core.webhook.LifecycleEvent.MarketingPreferenceChanged;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
    record Outcome(int applied, int duplicates) {}

    static Outcome apply(Handle h, List<LifecycleEvent> events, Instant now) {
        List<MarketingPreferenceChanged> changes = events.stream()
                .filter(MarketingPreferenceChanged.class::isInstance).map(MarketingPreferenceChanged.class::cast)
                .toList();
        if (changes.isEmpty()) {
            return new Outcome(0, 0);
        }
        Set<String> fresh = ReceiptWrites.dedupe(h, changes.stream().map(LifecycleEvent::dedupeKey).toList(), now);
        // in the order they happened: a stop then a resume in one batch leaves the consent granted
        List<MarketingPreferenceChanged> toApply = changes.stream().filter(c -> fresh.remove(c.dedupeKey()))
                .sorted(Comparator.comparing(MarketingPreferenceChanged::occurredAt)).toList();
        for (MarketingPreferenceChanged c : toApply) {
            JdbcConsents.recordAll(h, List.of(new JdbcConsents.Key(c.orgId(), c.customer().value(), Channel.WHATSAPP,
                            ConsentPurpose.MARKETING)), c.stopped() ? ConsentStatus.REVOKED : ConsentStatus.GRANTED,
                    c.stopped() ? "meta marketing preference: stop" : "meta marketing preference: resume", now);
        }
        return new Outcome(toApply.size(), changes.size() - toApply.size());
    }
}
