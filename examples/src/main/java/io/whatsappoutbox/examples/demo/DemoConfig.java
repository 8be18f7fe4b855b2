package io.whatsappoutbox.examples.demo;

import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The demo's settings, from environment variables (documented in the README). Unset values get
 * demo defaults, announced at start, fit for the local simulators only: against a real provider
 * the demo refuses to start until each public default is replaced.
 *
 * @param bindAddress the address the serve mode listens on: loopback unless told otherwise
 * @param port the HTTP port of the serve mode (the story uses any free port)
 * @param apiTokens the bearer tokens of the HTTP API and the orgs each one may act for
 * @param jdbcUrl an external PostgreSQL, or null for the embedded one
 * @param publicUrl the base URL the SMS provider signs its callbacks for, or null for localhost
 * @param metaBaseUrl the Meta Cloud API, or null for the local simulator
 * @param smsBaseUrl the SMS API, or null for the local simulator
 */
record DemoConfig(String mode, String bindAddress, int port, List<ApiToken> apiTokens, String jdbcUrl, String jdbcUser,
        Secret jdbcPassword, Secret metaAppSecret, Secret metaVerifyToken, String encryptionKeyBase64,
        boolean encryptionKeyGenerated, Secret twilioAuthToken, String publicUrl, String metaBaseUrl, String smsBaseUrl) {

    static final String DEFAULT_ADMIN_TOKEN = "demo-admin-token";
    static final String DEFAULT_META_APP_SECRET = "demo-meta-app-secret";
    static final String DEFAULT_META_VERIFY_TOKEN = "demo-verify-token";
    static final String DEFAULT_TWILIO_AUTH_TOKEN = "demo-twilio-auth-token";
    static final String LOOPBACK = "127.0.0.1";
    /** What a token's org list holds to act for every org (the all-orgs dashboard and the simulator switches included). */
    static final String ALL_ORGS = "*";
    static final int TOKEN_MIN = 16;

    /**
     * A bearer token and the orgs it may act for ({@code X-Org-Id}).
     *
     * @param orgs org ids, or {@value #ALL_ORGS} for every org
     */
    record ApiToken(Secret token, Set<String> orgs) {
        ApiToken {
            orgs = Set.copyOf(orgs);
        }

        boolean allOrgs() {
            return orgs.contains(ALL_ORGS);
        }

        boolean mayActFor(String orgId) {
            return allOrgs() || orgs.contains(orgId);
        }

        @Override
        public String toString() {
            return "ApiToken[orgs=" + orgs + "]";
        }
    }

    static DemoConfig fromEnvironment(Map<String, String> env) {
        String key = env.get("OUTBOX_ENCRYPTION_KEY");
        boolean generated = key == null || key.isBlank();
        DemoConfig c = new DemoConfig(
                env.getOrDefault("OUTBOX_DEMO_MODE", "story"),
                Objects.requireNonNullElse(blankToNull(env.get("OUTBOX_DEMO_BIND_ADDRESS")), LOOPBACK),
                port(env.getOrDefault("OUTBOX_DEMO_PORT", "8080")),
                apiTokens(blankToNull(env.get("OUTBOX_DEMO_ADMIN_TOKEN")), blankToNull(env.get("OUTBOX_DEMO_API_TOKENS"))),
                blankToNull(env.get("OUTBOX_JDBC_URL")),
                env.getOrDefault("OUTBOX_JDBC_USER", "postgres"),
                env.get("OUTBOX_JDBC_PASSWORD") == null || env.get("OUTBOX_JDBC_PASSWORD").isEmpty()
                        ? null : Secret.of(env.get("OUTBOX_JDBC_PASSWORD")),
                Secret.of(env.getOrDefault("OUTBOX_DEMO_META_APP_SECRET", DEFAULT_META_APP_SECRET)),
                Secret.of(env.getOrDefault("OUTBOX_DEMO_META_VERIFY_TOKEN", DEFAULT_META_VERIFY_TOKEN)),
                generated ? EncryptionKeys.generateBase64Key() : key.trim(),
                generated,
                Secret.of(env.getOrDefault("OUTBOX_DEMO_TWILIO_AUTH_TOKEN", DEFAULT_TWILIO_AUTH_TOKEN)),
                blankToNull(env.get("OUTBOX_DEMO_PUBLIC_URL")),
                blankToNull(env.get("OUTBOX_DEMO_META_BASE_URL")),
                blankToNull(env.get("OUTBOX_DEMO_SMS_BASE_URL")));
        c.refuseDefaultsWithRealProviders();
        return c;
    }

    boolean serve() {
        return "serve".equalsIgnoreCase(mode);
    }

    /** True when a provider is a real one, not the local simulator. */
    boolean realProviders() {
        return metaBaseUrl != null || smsBaseUrl != null;
    }

    /** The demo's own all-orgs token is in use: announced at start, refused against real providers. */
    boolean defaultAdminToken() {
        return apiTokens.stream().anyMatch(t -> t.token().matches(DEFAULT_ADMIN_TOKEN));
    }

    /** The token that authenticates a request, or null. Every token is compared, in constant time. */
    ApiToken authenticate(String presented) {
        ApiToken found = null;
        for (ApiToken t : apiTokens) {
            if (t.token().matches(presented) && found == null) {
                found = t;
            }
        }
        return found;
    }

    DemoConfig withPort(int newPort) {
        return new DemoConfig(mode, bindAddress, newPort, apiTokens, jdbcUrl, jdbcUser, jdbcPassword, metaAppSecret,
                metaVerifyToken, encryptionKeyBase64, encryptionKeyGenerated, twilioAuthToken, publicUrl, metaBaseUrl,
                smsBaseUrl);
    }

    /**
     * The defaults are in the README: anyone could sign webhooks, verify the subscription or call the
     * API with them. Fine for the local simulators, refused against a real provider.
     */
    private void refuseDefaultsWithRealProviders() {
        if (!realProviders()) {
            return;
        }
        List<String> unset = new ArrayList<>();
        if (defaultAdminToken()) {
            unset.add("OUTBOX_DEMO_ADMIN_TOKEN or OUTBOX_DEMO_API_TOKENS");
        }
        if (metaAppSecret.matches(DEFAULT_META_APP_SECRET)) {
            unset.add("OUTBOX_DEMO_META_APP_SECRET");
        }
        if (metaVerifyToken.matches(DEFAULT_META_VERIFY_TOKEN)) {
            unset.add("OUTBOX_DEMO_META_VERIFY_TOKEN");
        }
        if (twilioAuthToken.matches(DEFAULT_TWILIO_AUTH_TOKEN)) {
            unset.add("OUTBOX_DEMO_TWILIO_AUTH_TOKEN");
        }
        if (encryptionKeyGenerated) {
            unset.add("OUTBOX_ENCRYPTION_KEY (a throw-away key would leave the stored tokens unreadable after a restart)");
        }
        if (!unset.isEmpty()) {
            throw new IllegalArgumentException("the demo talks to a real provider (OUTBOX_DEMO_META_BASE_URL or"
                    + " OUTBOX_DEMO_SMS_BASE_URL is set) with the public demo defaults, which anyone can read in the"
                    + " README: set " + String.join(", ", unset));
        }
    }

    /**
     * {@code OUTBOX_DEMO_ADMIN_TOKEN} acts for every org; {@code OUTBOX_DEMO_API_TOKENS} gives each
     * token its orgs: {@code org-a,org-b=<token>;*=<token>}. With neither, the demo default acts for
     * every org (the local quick start).
     */
    static List<ApiToken> apiTokens(String adminToken, String mapping) {
        List<ApiToken> out = new ArrayList<>();
        if (adminToken != null) {
            out.add(new ApiToken(token("OUTBOX_DEMO_ADMIN_TOKEN", adminToken), Set.of(ALL_ORGS)));
        }
        if (mapping != null) {
            String[] entries = mapping.split("[;\\n]");
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i].strip();
                if (entry.isEmpty()) {
                    continue;
                }
                String where = "OUTBOX_DEMO_API_TOKENS entry " + (i + 1);
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(where + " is not <orgs>=<token> (rule: org ids separated by"
                            + " commas, or *, then = and the token)");
                }
                Set<String> orgs = new LinkedHashSet<>();
                for (String org : entry.substring(0, eq).split(",")) {
                    String o = org.strip();
                    if (!o.equals(ALL_ORGS)) {
                        Violations v = new Violations();
                        v.orgId("org", o);
                        if (!v.isEmpty()) {
                            throw new IllegalArgumentException(where + ": '" + Violations.printable(o)
                                    + "' is not an org id (rule: " + OutboundMessageRequest.ORG_ID_RULE + ", or *)");
                        }
                    }
                    orgs.add(o);
                }
                Secret token = token(where, entry.substring(eq + 1).strip());
                if (out.stream().anyMatch(t -> t.token().equals(token))) {
                    throw new IllegalArgumentException(where + " repeats a token: each token names its orgs once");
                }
                out.add(new ApiToken(token, orgs));
            }
        }
        if (out.isEmpty()) {
            out.add(new ApiToken(Secret.of(DEFAULT_ADMIN_TOKEN), Set.of(ALL_ORGS)));
        }
        return List.copyOf(out);
    }

    private static Secret token(String where, String value) {
        if (value.equals(DEFAULT_ADMIN_TOKEN)) {
            return Secret.of(value);
        }
        if (value.length() < TOKEN_MIN || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException(where + ": the token is not usable (rule: at least " + TOKEN_MIN
                    + " printable characters without blanks)");
        }
        return Secret.of(value);
    }

    private static int port(String value) {
        try {
            int p = Integer.parseInt(value.trim());
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException();
            }
            return p;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("OUTBOX_DEMO_PORT: '" + value + "' is not a port (rule: 0 to 65535)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public String toString() {
        return "DemoConfig[mode=" + mode + ", bind=" + bindAddress + ", port=" + port + ", jdbcUrl="
                + Objects.requireNonNullElse(jdbcUrl, "embedded") + ", publicUrl=" + publicUrl + ", apiTokens="
                + apiTokens + "]";
    }
}
