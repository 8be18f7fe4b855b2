package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The pure decisions a store asks for while it applies receipts inside its transaction: the
 * webhook processor's, and the dispatcher's for the receipts that beat their send's result (which
 * the store applies in the completion's transaction, webhook store or not). Both read failures
 * through the same {@link DeliveryPolicy}. Internal.
 */
public final class DeliveryDecisions implements WebhookDecisions {
    private final DeliveryPolicy policy;
    private final OptOutRules optOut;

    /** @param optOut opt-out keywords for every channel, already {@link #normalize normalized} */
    public DeliveryDecisions(DeliveryPolicy policy, Set<String> optOut) {
        this(policy, OptOutRules.none().withOptOutKeywords(optOut));
    }

    public DeliveryDecisions(DeliveryPolicy policy, OptOutRules optOut) {
        this.policy = policy;
        this.optOut = java.util.Objects.requireNonNull(optOut, "optOut");
    }

    /** The library's defaults (retry policy, no fallback rules, Meta's and Twilio's catalogues, no opt-out words): for tests of stores. */
    public static DeliveryDecisions defaults() {
        return new DeliveryDecisions(new DeliveryPolicy(RetryPolicy.defaults(), FallbackRules.none(), Duration.ofMinutes(10),
                DeliveryPolicy.defaultCatalogues(), Map.of()), Set.of());
    }

    @Override
    public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
        // a failover provider's codes mean what its own catalogue says, not the primary's
        FailureDecider.Decision d = policy.decider().decide(m, r.error(), policy.catalogue(m.channel(), provider), now);
        if (d.kind() == FailureDecider.Kind.DEAD_LETTER) {
            return FailedReceiptAction.deadLetter(d.error(), d.revokeConsent(), d.revokedPurpose(),
                    d.fallback());
        }
        return FailedReceiptAction.retryAt(d.error(), d.nextAttemptAt());
    }

    @Override
    public boolean isOptOut(InboundMessage m) {
        return optOut.isOptOut(m);
    }

    @Override
    public boolean isOptIn(InboundMessage m) {
        return optOut.isOptIn(m);
    }

    /** A keyword or message as opt-out matching compares it: case, accents and trailing punctuation ignored. */
    public static String normalize(String text) {
        String stripped = Normalizer.normalize(text.strip(), Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        return stripped.toUpperCase(Locale.ROOT).replaceAll("[.!\\s]+$", "");
    }
}
