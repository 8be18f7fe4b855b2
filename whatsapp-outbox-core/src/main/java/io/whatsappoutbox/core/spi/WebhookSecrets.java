package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

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
     * rotated a moment ago is accepted at once. Returns the fresh candidates.
     */
    default List<Candidate> refresh(Instant now) {
        return candidates(now);
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
