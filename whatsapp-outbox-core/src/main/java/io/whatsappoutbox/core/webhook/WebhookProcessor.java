package io.whatsappoutbox.core.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.internal.DeliveryDecisions;
import io.whatsappoutbox.core.internal.DeliveryPolicy;
import io.whatsappoutbox.core.internal.Listeners;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.internal.WebhookWiring;
import io.whatsappoutbox.core.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies verified webhook batches through the store: the {@link WebhookSink} that the Meta and
 * SMS handlers hand their batches to. A failed receipt goes through the same retry, fallback and
 * dead-letter decision as an error the provider gave at once; an inbound message that is only an
 * opt-out keyword revokes consent.
 */
public final class WebhookProcessor implements WebhookSink {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);
    /** Opt-out words, matched on the whole message, ignoring case and accents. */
    public static final Set<String> DEFAULT_OPT_OUT_KEYWORDS = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL",
            "END", "QUIT", "ARRET", "ARRETER", "DESABONNER", "DESINSCRIRE");

    static {
        WebhookWiring.register(WebhookProcessor::wired);
    }

    private final WebhookStore store;
    private final Clock clock;
    private final OutboxListener listener;
    private final DeliveryDecisions decisions;

    private WebhookProcessor(WebhookStore store, DeliveryPolicy policy, Set<String> optOut, Clock clock,
            OutboxListener listener) {
        this.store = store;
        this.clock = clock;
        this.listener = listener;
        this.decisions = new DeliveryDecisions(policy, optOut);
    }

    /** The dispatcher's processor: its policy and listeners, its keywords (null: the defaults). */
    private static WebhookProcessor wired(WebhookStore store, DeliveryPolicy policy, List<String> optOutKeywords,
            Clock clock, OutboxListener listener) {
        Set<String> optOut = optOutKeywords == null ? DEFAULT_OPT_OUT_KEYWORDS : normalized(optOutKeywords);
        Violations v = new Violations();
        checkKeywords(v, optOut);
        v.throwIfAny("webhook processor settings");
        return new WebhookProcessor(Objects.requireNonNull(store, "store"), policy, optOut, clock, listener);
    }

    private static Set<String> normalized(List<String> keywords) {
        Set<String> optOut = new LinkedHashSet<>();
        keywords.forEach(k -> optOut.add(normalize(Objects.requireNonNull(k, "keyword"))));
        return optOut;
    }

    private static void checkKeywords(Violations v, Set<String> optOut) {
        if (optOut.stream().anyMatch(String::isEmpty)) {
            v.add("optOutKeywords", "holds an empty keyword", "non-blank words");
        }
    }

    public static Builder builder(WebhookStore store) {
        return new Builder(store);
    }

    @Override
    public WebhookResult accept(WebhookBatch batch) {
        Instant now = clock.instant();
        WebhookStore.Applied applied = store.apply(batch, decisions, now);
        record(applied);
        WebhookResult r = applied.result();
        log.debug("Webhook batch from {}: {} applied, {} duplicates, {} ignored, {} pending", batch.source(),
                r.applied(), r.duplicates(), r.ignored(), r.pending());
        return r;
    }

    /**
     * Forgets the deduplication keys and waiting receipts older than the store's dedup window. A
     * dispatcher's maintenance calls it; a host that serves webhooks without a dispatcher anywhere
     * calls it now and then.
     *
     * @return the rows removed
     */
    public int pruneExpired() {
        int removed = store.pruneExpired(clock.instant());
        if (removed > 0) {
            log.debug("Forgot {} webhook deduplication key(s) and waiting receipt(s) past the dedup window", removed);
        }
        return removed;
    }

    /**
     * Applies the receipts still waiting for a message that has been written since (see
     * {@link WebhookStore#applyWaitingReceipts}). A dispatcher's maintenance calls it; a host that
     * serves webhooks without a dispatcher anywhere calls it now and then.
     *
     * @return the receipts applied
     */
    public int applyWaitingReceipts() {
        WebhookStore.Applied applied = store.applyWaitingReceipts(decisions, clock.instant());
        record(applied);
        return applied.result().applied();
    }

    private void record(WebhookStore.Applied applied) {
        for (WebhookStore.Delivery d : applied.deliveries()) {
            listener.onDelivery(new OutboxListener.Delivered(d.channel(), Duration.between(d.createdAt(), d.deliveredAt())));
        }
        if (!applied.fallbacksCreated().isEmpty()) {
            listener.onFallbacksCreated(applied.fallbacksCreated().size());
        }
    }

    static String normalize(String text) {
        return DeliveryDecisions.normalize(text);
    }

    /** Settings, shared with the dispatcher's when it builds the processor itself. */
    public static final class Builder {
        private final WebhookStore store;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private FallbackRules fallbackRules = FallbackRules.none();
        private final Map<Channel, ErrorCatalogue> catalogues = new EnumMap<>(Channel.class);
        private final Map<String, ErrorCatalogue> providerCatalogues = DeliveryPolicy.providerCatalogues();
        private final Set<String> optOutKeywords = new LinkedHashSet<>(DEFAULT_OPT_OUT_KEYWORDS);
        private Duration haltOrgFor = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private MeterRegistry meterRegistry;
        private final List<OutboxListener> listeners = new ArrayList<>();

        private Builder(WebhookStore store) {
            this.store = Objects.requireNonNull(store, "store");
            catalogues.putAll(DeliveryPolicy.defaultCatalogues());
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        public Builder fallbackRules(FallbackRules fallbackRules) {
            this.fallbackRules = fallbackRules;
            return this;
        }

        /** How a channel's codes are classified (Meta's and Twilio's by default). */
        public Builder errorCatalogue(Channel channel, ErrorCatalogue catalogue) {
            catalogues.put(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(catalogue, "catalogue"));
            return this;
        }

        /**
         * How the receipts of messages that {@code provider} (its {@code MessageProvider.name()})
         * accepted on {@code channel} are classified, when it is not the channel's catalogue: a
         * failover provider of another vendor. The dispatcher sets it for each of its providers.
         */
        public Builder errorCatalogue(Channel channel, String provider, ErrorCatalogue catalogue) {
            providerCatalogues.put(DeliveryPolicy.key(channel, provider), Objects.requireNonNull(catalogue, "catalogue"));
            return this;
        }

        /** Replaces the opt-out keywords (whole-message match, case and accents ignored). */
        public Builder optOutKeywords(List<String> keywords) {
            optOutKeywords.clear();
            keywords.forEach(k -> optOutKeywords.add(normalize(Objects.requireNonNull(k, "keyword"))));
            return this;
        }

        /** How long an org's WhatsApp sending pauses after an authentication or account error. */
        public Builder haltOrgFor(Duration haltOrgFor) {
            this.haltOrgFor = haltOrgFor;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * Adds a listener told of every delivery receipt and fallback the processor applies (several
         * may be added; the meters of {@link #meterRegistry} are one without being added).
         */
        public Builder listener(OutboxListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public WebhookProcessor build() {
            Violations v = new Violations();
            v.requireNonNull("retryPolicy", retryPolicy);
            v.requireNonNull("fallbackRules", fallbackRules);
            v.requireNonNull("clock", clock);
            if (v.requireNonNull("haltOrgFor", haltOrgFor) && haltOrgFor.isNegative()) {
                v.add("haltOrgFor", "is negative", "zero or more");
            }
            checkKeywords(v, optOutKeywords);
            v.throwIfAny("webhook processor settings");
            DeliveryPolicy policy = new DeliveryPolicy(retryPolicy, fallbackRules, haltOrgFor, catalogues,
                    providerCatalogues);
            return new WebhookProcessor(store, policy, optOutKeywords, clock, Listeners.of(meterRegistry, listeners));
        }
    }
}
