package io.whatsappoutbox.meta.internal;

import io.whatsappoutbox.core.internal.Hmac;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WebhookSecrets.Candidate;
import java.time.Instant;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks Meta's {@code X-Hub-Signature-256: sha256=<hex>} on the raw body against the secrets valid
 * now for the orgs the body names by phone number id (every secret when it names none the store
 * knows), then once more after {@link WebhookSecrets#refreshFor} when those changed (a secret
 * rotated a moment ago). Internal.
 */
public final class SignatureCheck {
    public static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    /** Hex is case-insensitive; Meta sends lower case, the HMAC is the same value either way. */
    private static final Pattern HEX_256 = Pattern.compile("[0-9a-fA-F]{64}");

    /** Why a signature was refused, as the metric's {@code reason} tag. */
    public enum Failure {
        MISSING("missing"),
        MALFORMED("malformed"),
        MISMATCH("mismatch"),
        ORG_MISMATCH("org_mismatch");

        private final String tag;

        Failure(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /**
     * The outcome: either a failure, or the orgs whose secrets matched ({@code anyOrg} when a
     * shared secret matched, so the body may speak for any org).
     */
    public record Outcome(Failure failure, boolean anyOrg, Set<String> orgs) {
        public boolean valid() {
            return failure == null;
        }

        static Outcome failed(Failure f) {
            return new Outcome(f, false, Set.of());
        }

        /** True when a change routed to {@code orgId} may be applied under this signature. */
        public boolean allows(String orgId) {
            return valid() && (anyOrg || orgs.contains(orgId));
        }
    }

    private final WebhookSecrets secrets;

    public SignatureCheck(WebhookSecrets secrets) {
        this.secrets = secrets;
    }

    /** Parses the header; null when it is well formed, else why not. */
    static Failure malformed(String header) {
        if (header == null || header.isBlank()) {
            return Failure.MISSING;
        }
        String h = header.strip();
        if (!h.startsWith(PREFIX) || !HEX_256.matcher(h.substring(PREFIX.length())).matches()) {
            return Failure.MALFORMED;
        }
        return null;
    }

    /**
     * @param phoneNumberIds the phone number ids the body names ({@link PhoneNumberIds#in}): only
     *     their orgs' secrets are tried, one HMAC per distinct secret
     */
    public Outcome check(String header, byte[] body, Set<String> phoneNumberIds, Instant now) {
        Failure f = malformed(header);
        if (f != null) {
            return Outcome.failed(f);
        }
        String presented = header.strip().substring(PREFIX.length()).toLowerCase(Locale.ROOT);
        List<Candidate> first = secrets.candidatesFor(phoneNumberIds, now);
        Outcome outcome = match(first, presented, body, now);
        if (outcome.valid()) {
            return outcome;
        }
        List<Candidate> again = secrets.refreshFor(phoneNumberIds, now);
        // a store that did not reload (it reloads at most every few seconds) gives the same secrets
        return again == null || again.equals(first) ? outcome : match(again, presented, body, now);
    }

    private static Outcome match(List<Candidate> candidates, String presented, byte[] body, Instant now) {
        boolean any = false;
        boolean shared = false;
        Set<String> orgs = new HashSet<>();
        // one HMAC per distinct secret: many orgs of one Meta app share theirs
        Map<ByteBuffer, Boolean> bySecret = new HashMap<>();
        for (Candidate c : candidates == null ? List.<Candidate>of() : candidates) {
            if (c == null || !c.validAt(now)) {
                continue;
            }
            byte[] key = c.secret().bytes();
            // no short-circuit on a match: every valid candidate is computed
            boolean ok = bySecret.computeIfAbsent(ByteBuffer.wrap(key),
                    k -> Hmac.constantTimeEquals(Hmac.sha256Hex(key, body), presented));
            if (ok) {
                any = true;
                if (c.orgId() == null) {
                    shared = true;
                } else {
                    orgs.add(c.orgId());
                }
            }
        }
        return any ? new Outcome(null, shared, Set.copyOf(orgs)) : Outcome.failed(Failure.MISMATCH);
    }
}
