package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.jdbc.EncryptionKeys.SecretUnreadableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook secrets of every enabled org, read and opened once per cache period rather than per
 * request: forged requests are cheap to send, so none of them may cost a reload of the table. A
 * reload after a mismatch happens at most every {@link #RELOAD_AT_MOST_EVERY}, and one thread
 * loads while the others wait for its result. A secret that does not open costs only its org: it
 * is left out, counted and reported. Internal.
 */
public final class WebhookSecretCache implements WebhookSecrets {
    private static final Logger log = LoggerFactory.getLogger(WebhookSecretCache.class);
    /** How often a signature that matches nothing may reload the secrets. */
    public static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(5);

    /**
     * One org's row as loaded.
     *
     * @param candidates the secrets that opened: the current one, and the previous one in its overlap
     * @param unreadable the columns whose value did not open, with why
     */
    public record Org(String orgId, String phoneNumberId, List<Candidate> candidates, Map<String, String> unreadable) {
        public Org {
            candidates = List.copyOf(candidates);
            unreadable = Map.copyOf(unreadable);
        }

        boolean currentUnreadable() {
            return unreadable.containsKey("webhook_secret");
        }
    }

    /** What one load found. */
    public record Snapshot(List<Org> orgs, Instant loadedAt) {
        public Snapshot {
            orgs = List.copyOf(orgs);
        }
    }

    private record Loaded(Snapshot snapshot, List<Candidate> all, Map<String, Org> byPhone, List<String> unreadable) {}

    private final Supplier<List<Org>> loader;
    private final Clock clock;
    private final Duration cacheFor;
    private final Duration reloadEvery;
    private final Object loading = new Object();
    private volatile Loaded loaded;

    public WebhookSecretCache(Supplier<List<Org>> loader, Clock clock, Duration cacheFor) {
        this.loader = loader;
        this.clock = clock;
        this.cacheFor = cacheFor;
        this.reloadEvery = cacheFor.compareTo(RELOAD_AT_MOST_EVERY) < 0 ? cacheFor : RELOAD_AT_MOST_EVERY;
    }

    @Override
    public List<Candidate> candidates(Instant now) {
        return valid(current(false).all(), now);
    }

    @Override
    public List<Candidate> refresh(Instant now) {
        return valid(current(true).all(), now);
    }

    @Override
    public List<Candidate> candidatesFor(Set<String> phoneNumberIds, Instant now) {
        return routed(current(false), phoneNumberIds, now);
    }

    @Override
    public List<Candidate> refreshFor(Set<String> phoneNumberIds, Instant now) {
        return routed(current(true), phoneNumberIds, now);
    }

    /** The last load (loading now when nothing is loaded or it expired). */
    public Snapshot snapshot() {
        return current(false).snapshot();
    }

    /** Forgets what was loaded: the next request loads. */
    public void invalidate() {
        loaded = null;
    }

    private static List<Candidate> routed(Loaded l, Set<String> phoneNumberIds, Instant now) {
        List<Candidate> out = new ArrayList<>();
        boolean known = false;
        for (String id : phoneNumberIds == null ? Set.<String>of() : phoneNumberIds) {
            Org org = l.byPhone().get(id);
            if (org == null) {
                continue;
            }
            known = true;
            if (org.currentUnreadable()) {
                throw new SecretUnreadableException("the webhook secret of org " + org.orgId() + " does not open ("
                        + org.unreadable().get("webhook_secret") + "): its webhooks cannot be verified");
            }
            out.addAll(org.candidates());
        }
        return valid(known ? out : l.all(), now);
    }

    private static List<Candidate> valid(List<Candidate> candidates, Instant now) {
        return candidates.stream().filter(c -> c.validAt(now)).toList();
    }

    private Loaded current(boolean refresh) {
        Loaded l = loaded;
        if (fresh(l, refresh)) {
            return l;
        }
        synchronized (loading) {
            l = loaded;
            if (fresh(l, refresh)) {
                return l; // another thread loaded while this one waited
            }
            l = load();
            loaded = l;
            return l;
        }
    }

    private boolean fresh(Loaded l, boolean refresh) {
        if (l == null) {
            return false;
        }
        Instant now = clock.instant();
        Instant loadedAt = l.snapshot().loadedAt();
        if (loadedAt.plus(cacheFor).isBefore(now)) {
            return false;
        }
        return !refresh || loadedAt.plus(reloadEvery).isAfter(now);
    }

    private Loaded load() {
        Instant at = clock.instant();
        List<Org> orgs = loader.get();
        List<Candidate> all = new ArrayList<>();
        Map<String, Org> byPhone = new HashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (Org o : orgs) {
            all.addAll(o.candidates());
            byPhone.put(o.phoneNumberId(), o);
            o.unreadable().forEach((column, why) -> unreadable.add(o.orgId() + " " + column + " (" + why + ")"));
        }
        Loaded previous = loaded;
        if (!unreadable.isEmpty() && (previous == null || !previous.unreadable().equals(unreadable))) {
            log.error("{} webhook secret(s) do not open and are left out; the webhooks of their orgs answer 500: {}",
                    unreadable.size(), unreadable);
        }
        return new Loaded(new Snapshot(orgs, at), List.copyOf(all), Map.copyOf(byPhone), List.copyOf(unreadable));
    }
}
