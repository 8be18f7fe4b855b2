package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.WebhookDecisions;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The pure decisions a store asks for while it applies receipts inside its transaction: the
 * webhook processor's, and the dispatcher's for the receipts that beat their send's result (which
 * the store applies in the completion's transaction, webhook store or not). Internal.
 */
public final class DeliveryDecisions implements WebhookDecisions {
    private final FailureDecider decider;
    private final Map<Channel, ErrorCatalogue> catalogues;
    private final Map<String, ErrorCatalogue> providerCatalogues;
    private final Set<String> optOut;

    /**
     * @param providerCatalogues by {@link #providerKey}: a failover provider's catalogue
     * @param optOut opt-out keywords, already {@link #normalize normalized}
     */
    public DeliveryDecisions(FailureDecider decider, Map<Channel, ErrorCatalogue> catalogues,
            Map<String, ErrorCatalogue> providerCatalogues, Set<String> optOut) {
        this.decider = decider;
        this.catalogues = Map.copyOf(catalogues);
        this.providerCatalogues = Map.copyOf(providerCatalogues);
        this.optOut = Set.copyOf(optOut);
    }

    public static String providerKey(Channel channel, String provider) {
        return channel + ":" + provider;
    }

    @Override
    public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
        // a failover provider's codes mean what its own catalogue says, not the primary's
        ErrorCatalogue catalogue = provider == null ? null : providerCatalogues.get(providerKey(m.channel(), provider));
        FailureDecider.Decision d = decider.decide(m, r.error(),
                catalogue != null ? catalogue : catalogues.get(m.channel()), now);
        if (d.kind() == FailureDecider.Kind.DEAD_LETTER) {
            return FailedReceiptAction.deadLetter(d.error(), d.revokeConsent(), d.fallback());
        }
        return FailedReceiptAction.retryAt(d.error(), d.nextAttemptAt());
    }

    @Override
    public boolean isOptOut(InboundMessage m) {
        return m.text() != null && optOut.contains(normalize(m.text()));
    }

    /** A keyword or message as opt-out matching compares it: case, accents and trailing punctuation ignored. */
    public static String normalize(String text) {
        String stripped = Normalizer.normalize(text.strip(), Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        return stripped.toUpperCase(Locale.ROOT).replaceAll("[.!\\s]+$", "");
    }
}
