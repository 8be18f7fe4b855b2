package io.whatsappoutbox.core.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.store.QueueSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every event to each listener in turn: the meters (when there is a registry) and the
 * host's own. A listener that throws is logged once per kind of event and skipped; the send goes
 * on. No lock and no allocation on the way. Internal.
 */
public final class Listeners implements OutboxListener {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private enum Kind { CLAIM, ATTEMPT, DEFERRAL, DEAD_LETTER, DELIVERY, FALLBACKS, SWITCH, CIRCUIT, LEASES, SNAPSHOT }

    private final Guarded[] listeners;

    private Listeners(List<OutboxListener> listeners) {
        this.listeners = listeners.stream().map(Guarded::new).toArray(Guarded[]::new);
    }

    /** The meters of {@code registry} (none when null), then {@code hostListeners} in their order. */
    public static OutboxListener of(MeterRegistry registry, List<OutboxListener> hostListeners) {
        List<OutboxListener> all = new ArrayList<>();
        if (registry != null) {
            all.add(new OutboxMetrics(registry));
        }
        hostListeners.forEach(l -> all.add(Objects.requireNonNull(l, "listener")));
        return new Listeners(all);
    }

    /** One listener and the kinds of event it has already failed on (logged once each). */
    private static final class Guarded {
        final OutboxListener delegate;
        final AtomicInteger failedKinds = new AtomicInteger();

        Guarded(OutboxListener delegate) {
            this.delegate = delegate;
        }

        void failed(Kind kind, Throwable e) {
            int bit = 1 << kind.ordinal();
            if ((failedKinds.getAndUpdate(v -> v | bit) & bit) == 0) {
                log.warn("Outbox listener {} threw on {} (logged once; the outbox goes on): {}",
                        delegate.getClass().getName(), kind, SafeText.describe(e));
            }
        }
    }

    @Override
    public void onClaim(Claimed claim) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onClaim(claim);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.CLAIM, e);
            }
        }
    }

    @Override
    public void onAttempt(Attempted attempt) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onAttempt(attempt);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.ATTEMPT, e);
            }
        }
    }

    @Override
    public void onDeferral(Deferred deferral) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onDeferral(deferral);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.DEFERRAL, e);
            }
        }
    }

    @Override
    public void onDeadLetter(DeadLettered deadLetter) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onDeadLetter(deadLetter);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.DEAD_LETTER, e);
            }
        }
    }

    @Override
    public void onDelivery(Delivered delivery) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onDelivery(delivery);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.DELIVERY, e);
            }
        }
    }

    @Override
    public void onFallbacksCreated(int count) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onFallbacksCreated(count);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.FALLBACKS, e);
            }
        }
    }

    @Override
    public void onProviderSwitch(ProviderSwitched change) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onProviderSwitch(change);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.SWITCH, e);
            }
        }
    }

    @Override
    public void onCircuitStateChange(CircuitStateChanged change) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onCircuitStateChange(change);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.CIRCUIT, e);
            }
        }
    }

    @Override
    public void onLeasesRecovered(int count) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onLeasesRecovered(count);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.LEASES, e);
            }
        }
    }

    @Override
    public void onQueueSnapshot(QueueSnapshot snapshot) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onQueueSnapshot(snapshot);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.SNAPSHOT, e);
            }
        }
    }

    @Override
    public void onMessagingLimitUsage(java.util.Map<String, Double> usageRatioByOrg) {
        for (Guarded l : listeners) {
            try {
                l.delegate.onMessagingLimitUsage(usageRatioByOrg);
            } catch (RuntimeException | Error e) {
                l.failed(Kind.SNAPSHOT, e);
            }
        }
    }
}
