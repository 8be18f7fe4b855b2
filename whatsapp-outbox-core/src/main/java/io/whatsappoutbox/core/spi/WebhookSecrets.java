package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The secrets a webhook signature may be made with right now: each org's current secret and,
 * during a rotation, its previous one until the overlap ends.
 */
@FunctionalInterface
public interface WebhookSecrets {

    /** The secrets valid at {@code now}. */
    List<Candidate> candidates(Instant now);

    /**
     * Asked after a signature matched no candidate: a store with a cache reloads it, so a secret
     * rotated a moment ago is accepted at once. Returns the fresh candidates. A store may reload at
     * most every few seconds, whatever the callers ask: every forged request asks.
     */
    default List<Candidate> refresh(Instant now) {
        return candidates(now);
    }

    /**
     * The secrets a body naming these phone number ids (Meta's {@code metadata.phone_number_id})
     * may be signed with: those of the orgs the numbers belong to and the shared ones, so that a
     * signature is checked against one org's secrets rather than every org's. When no id is known
     * (the body routes nowhere), every candidate. The default does not route.
     *
     * @throws RuntimeException when a named org's current secret cannot be read: its webhooks
     *     cannot be verified (the caller answers 500, other orgs are not affected)
     */
    default List<Candidate> candidatesFor(Set<String> phoneNumberIds, Instant now) {
        return candidates(now);
    }

    /**
     * {@link #refresh}, routed as {@link #candidatesFor}. The default is {@code refresh(now)}, not
     * routed: a store that routes overrides both methods.
     */
    default List<Candidate> refreshFor(Set<String> phoneNumberIds, Instant now) {
        return refresh(now);
    }

    /**
     * One secret.
     *
     * @param orgId the org it belongs to, or null for a secret shared by every org (one Meta app)
     * @param validUntil the end of a rotation overlap, or null for a current secret
     */
    record Candidate(String orgId, Secret secret, Instant validUntil) {
        public Candidate {
            Objects.requireNonNull(secret, "secret");
        }

        public boolean validAt(Instant now) {
            return validUntil == null || now.isBefore(validUntil);
        }
    }

    /** One secret for every org, such as a single Meta app secret or a Twilio auth token. */
    static WebhookSecrets shared(Secret secret) {
        Candidate c = new Candidate(null, secret, null);
        return now -> List.of(c);
    }
}
