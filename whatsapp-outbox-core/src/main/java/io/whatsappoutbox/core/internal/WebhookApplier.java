package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.core.webhook.WebhookSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies verified webhook batches through the store with one delivery policy: the work behind the
 * public {@code WebhookProcessor} and behind a dispatcher's {@code webhooks()}, which share the
 * dispatcher's policy and listeners. Internal.
 */
public final class WebhookApplier implements WebhookSink {
    private static final Logger log = LoggerFactory.getLogger("io.whatsappoutbox.core.webhook.WebhookProcessor");
    /** Opt-out words of WhatsApp and SMS together, matched on the whole message, ignoring case and accents. */
    public static final Set<String> DEFAULT_OPT_OUT_KEYWORDS = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL",
            "END", "QUIT", "ARRET", "ARRETER", "DESABONNER", "DESINSCRIRE");

    private final WebhookStore store;
    private final Clock clock;
    private final OutboxListener listener;
    private final DeliveryDecisions decisions;
    private final OutboxObservations observations;

    /**
     * @param optOutKeywords the opt-out words (normalized here), or null for the defaults
     * @throws io.whatsappoutbox.core.InvalidInputException when a keyword is blank
     */
    public WebhookApplier(WebhookStore store, DeliveryPolicy policy, Collection<String> optOutKeywords, Clock clock,
            OutboxListener listener) {
        this(store, policy, optOutKeywords == null ? OptOutRules.defaults()
                : OptOutRules.defaults().withOptOutKeywords(optOutKeywords), clock, listener);
    }

    /** @throws io.whatsappoutbox.core.InvalidInputException when a keyword or payload is blank */
    public WebhookApplier(WebhookStore store, DeliveryPolicy policy, OptOutRules optOut, Clock clock,
            OutboxListener listener) {
        this(store, policy, optOut, clock, listener, OutboxObservations.of(null));
    }

    /**
     * @param observations each batch applied is observed as {@code whatsapp.outbox.receipt}
     * @throws io.whatsappoutbox.core.InvalidInputException when a keyword or payload is blank
     */
    public WebhookApplier(WebhookStore store, DeliveryPolicy policy, OptOutRules optOut, Clock clock,
            OutboxListener listener, OutboxObservations observations) {
        this.observations = Objects.requireNonNull(observations, "observations");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        Violations v = new Violations();
        optOut.check(v);
        v.throwIfAny("webhook processor settings");
        this.decisions = new DeliveryDecisions(Objects.requireNonNull(policy, "policy"), optOut);
    }

    /** The keywords as matched: normalized, in their order. */
    public static Set<String> normalized(Collection<String> keywords) {
        Set<String> optOut = new LinkedHashSet<>();
        keywords.forEach(k -> optOut.add(DeliveryDecisions.normalize(Objects.requireNonNull(k, "keyword"))));
        return optOut;
    }

    /** Adds the rule every set of opt-out keywords follows to {@code v}. */
    public static void checkKeywords(Violations v, Collection<String> normalizedKeywords) {
        if (normalizedKeywords.stream().anyMatch(String::isEmpty)) {
            v.add("optOutKeywords", "holds an empty keyword", "non-blank words");
        }
    }

    @Override
    public WebhookResult accept(WebhookBatch batch) {
        return observations.receipt(batch, () -> apply(batch));
    }

    private WebhookResult apply(WebhookBatch batch) {
        WebhookStore.Applied applied = store.apply(batch, decisions, clock.instant());
        record(applied);
        WebhookResult r = applied.result();
        log.debug("Webhook batch from {}: {} applied, {} duplicates, {} ignored, {} pending", batch.source(),
                r.applied(), r.duplicates(), r.ignored(), r.pending());
        return r;
    }

    /** Forgets deduplication keys and waiting receipts past the store's window; returns the rows removed. */
    public int pruneExpired() {
        int removed = store.pruneExpired(clock.instant());
        if (removed > 0) {
            log.debug("Forgot {} webhook deduplication key(s) and waiting receipt(s) past the dedup window", removed);
        }
        return removed;
    }

    /** Applies the receipts still waiting for a message written since; returns the receipts applied. */
    public int applyWaitingReceipts() {
        WebhookStore.Applied applied = store.applyWaitingReceipts(decisions, clock.instant());
        record(applied);
        return applied.result().applied();
    }

    private void record(WebhookStore.Applied applied) {
        for (WebhookStore.Delivery d : applied.deliveries()) {
            Instant created = d.createdAt();
            listener.onDelivery(new OutboxListener.Delivered(d.channel(), Duration.between(created, d.deliveredAt())));
        }
        if (!applied.fallbacksCreated().isEmpty()) {
            listener.onFallbacksCreated(applied.fallbacksCreated().size());
        }
    }
}
