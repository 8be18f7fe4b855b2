package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a failure means and what follows from it, for sends and receipts alike: the retry policy,
 * the fallback rules, how long an org halts, and the catalogue of each channel and of each provider.
 * A dispatcher builds one and shares it with the webhook processor it builds, so that a failed
 * receipt is decided exactly as the send's own error would have been. Internal.
 */
public final class DeliveryPolicy {
    private final FailureDecider decider;
    private final FallbackRules fallbackRules;
    private final Map<Channel, ErrorCatalogue> catalogues;
    private final Map<String, ErrorCatalogue> providerCatalogues;

    /**
     * @param catalogues each channel's catalogue, for a receipt whose provider is not known
     * @param providerCatalogues by {@link #key(Channel, String)}: each provider's own catalogue
     */
    public DeliveryPolicy(RetryPolicy retryPolicy, FallbackRules fallbackRules, Duration haltOrgFor,
            Map<Channel, ErrorCatalogue> catalogues, Map<String, ErrorCatalogue> providerCatalogues) {
        this.decider = new FailureDecider(retryPolicy, fallbackRules, haltOrgFor);
        this.fallbackRules = fallbackRules;
        this.catalogues = Map.copyOf(catalogues);
        this.providerCatalogues = Map.copyOf(providerCatalogues);
    }

    /** Meta's catalogue for WhatsApp and Twilio's for SMS: what a channel without override reads its codes with. */
    public static Map<Channel, ErrorCatalogue> defaultCatalogues() {
        Map<Channel, ErrorCatalogue> defaults = new EnumMap<>(Channel.class);
        defaults.put(Channel.WHATSAPP, ErrorCatalogue.meta());
        defaults.put(Channel.SMS, ErrorCatalogue.twilio());
        return defaults;
    }

    /** A mutable map to collect provider catalogues in, keyed as {@link #key(Channel, String)}. */
    public static Map<String, ErrorCatalogue> providerCatalogues() {
        return new HashMap<>();
    }

    public static String key(Channel channel, String provider) {
        return Objects.requireNonNull(channel, "channel") + ":" + Objects.requireNonNull(provider, "provider");
    }

    public FailureDecider decider() {
        return decider;
    }

    public FallbackRules fallbackRules() {
        return fallbackRules;
    }

    public RetryPolicy retryPolicy() {
        return decider.retryPolicy();
    }

    /**
     * The catalogue for an error of a message {@code provider} accepted on {@code channel}: the
     * provider's own (a failover provider of another vendor reads its codes with its own), else the
     * channel's.
     */
    public ErrorCatalogue catalogue(Channel channel, String provider) {
        ErrorCatalogue own = provider == null ? null : providerCatalogues.get(key(channel, provider));
        return own != null ? own : catalogues.get(channel);
    }
}
