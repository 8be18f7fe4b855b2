package io.whatsappoutbox.core.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.internal.DeliveryPolicy;
import io.whatsappoutbox.core.internal.Listeners;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.internal.OptOutRules;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.core.internal.WebhookApplier;
import io.whatsappoutbox.core.store.WebhookStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies verified webhook batches through the store: the {@link WebhookSink} that the Meta and
 * SMS handlers hand their batches to. A failed receipt goes through the same retry, fallback and
 * dead-letter decision as an error the provider gave at once; an inbound message that is only an
 * opt-out keyword revokes consent.
 */
public final class WebhookProcessor implements WebhookSink {
    /** Opt-out words, matched on the whole message, ignoring case and accents. */
    public static final Set<String> DEFAULT_OPT_OUT_KEYWORDS = WebhookApplier.DEFAULT_OPT_OUT_KEYWORDS;

    private final WebhookApplier applier;

    private WebhookProcessor(WebhookApplier applier) {
        this.applier = applier;
    }

    public static Builder builder(WebhookStore store) {
        return new Builder(store);
    }

    @Override
    public WebhookResult accept(WebhookBatch batch) {
        return applier.accept(batch);
    }

    /**
     * Forgets the deduplication keys and waiting receipts older than the store's dedup window. A
     * dispatcher's maintenance does it for its own webhook side; a host that serves webhooks
     * without a dispatcher anywhere calls it now and then.
     *
     * @return the rows removed
     */
    public int pruneExpired() {
        return applier.pruneExpired();
    }

    /**
     * Applies the receipts still waiting for a message that has been written since (see
     * {@link WebhookStore#applyWaitingReceipts}). A dispatcher's maintenance does it for its own
     * webhook side; a host that serves webhooks without a dispatcher anywhere calls it now and then.
     *
     * @return the receipts applied
     */
    public int applyWaitingReceipts() {
        return applier.applyWaitingReceipts();
    }

    /** The processor's settings; a dispatcher's own webhook side takes the dispatcher's instead. */
    public static final class Builder {
        private final WebhookStore store;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private FallbackRules fallbackRules = FallbackRules.none();
        private final Map<Channel, ErrorCatalogue> catalogues = new EnumMap<>(Channel.class);
        private final Map<String, ErrorCatalogue> providerCatalogues = DeliveryPolicy.providerCatalogues();
        private OptOutRules optOut = OptOutRules.defaults();
        private Duration haltOrgFor = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private MeterRegistry meterRegistry;
        private ObservationRegistry observationRegistry;
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

        /** Replaces the opt-out keywords of both channels (typed text only, whole message, case and accents ignored). */
        public Builder optOutKeywords(List<String> keywords) {
            optOut = optOut.withOptOutKeywords(keywords);
            return this;
        }

        /**
         * Replaces one channel's opt-out keywords (WhatsApp: STOP, STOPALL, UNSUBSCRIBE, ARRET, ARRETER,
         * DESABONNER, DESINSCRIRE; SMS: Twilio's STOP words and ARRET by default). Only what the customer
         * typed is matched, never a button's or list row's title.
         */
        public Builder optOutKeywords(Channel channel, List<String> keywords) {
            optOut = optOut.withOptOutKeywords(channel, keywords);
            return this;
        }

        /** Reply ids (quick-reply payloads, list row ids) that opt out, such as {@code optout}: none by default. */
        public Builder optOutPayloads(Set<String> replyIds) {
            optOut = optOut.withOptOutPayloads(replyIds);
            return this;
        }

        /** The SMS words that grant SMS consent back (START, UNSTOP, YES by default). */
        public Builder smsOptInKeywords(List<String> keywords) {
            optOut = optOut.withSmsOptInKeywords(keywords);
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
         * Observes each batch applied as {@code whatsapp.outbox.receipt}. Unset or
         * {@link ObservationRegistry#NOOP} (the default): nothing is observed.
         */
        public Builder observationRegistry(ObservationRegistry observationRegistry) {
            this.observationRegistry = observationRegistry;
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
            optOut.check(v);
            v.throwIfAny("webhook processor settings");
            DeliveryPolicy policy = new DeliveryPolicy(retryPolicy, fallbackRules, haltOrgFor, catalogues,
                    providerCatalogues);
            return new WebhookProcessor(new WebhookApplier(store, policy, optOut, clock,
                    Listeners.of(meterRegistry, listeners), OutboxObservations.of(observationRegistry)));
        }
    }
}
