package io.whatsappoutbox.examples.demo;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import java.util.Map;
import java.util.Objects;

/**
 * The demo's settings, from environment variables (documented in the README). Unset values get
 * demo defaults, announced at start; nothing here is fit for production as it is.
 *
 * @param port the HTTP port of the serve mode (the story uses any free port)
 * @param jdbcUrl an external PostgreSQL, or null for the embedded one
 * @param publicUrl the base URL the SMS provider signs its callbacks for, or null for localhost
 * @param metaBaseUrl the Meta Cloud API, or null for the local simulator
 * @param smsBaseUrl the SMS API, or null for the local simulator
 */
record DemoConfig(String mode, int port, Secret adminToken, String jdbcUrl, String jdbcUser, Secret jdbcPassword,
        Secret metaAppSecret, Secret metaVerifyToken, String encryptionKeyBase64, boolean encryptionKeyGenerated,
        Secret twilioAuthToken, String publicUrl, String metaBaseUrl, String smsBaseUrl) {

    static final String DEFAULT_ADMIN_TOKEN = "demo-admin-token";

    static DemoConfig fromEnvironment(Map<String, String> env) {
        String key = env.get("OUTBOX_ENCRYPTION_KEY");
        boolean generated = key == null || key.isBlank();
        return new DemoConfig(
                env.getOrDefault("OUTBOX_DEMO_MODE", "story"),
                port(env.getOrDefault("OUTBOX_DEMO_PORT", "8080")),
                Secret.of(env.getOrDefault("OUTBOX_DEMO_ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN)),
                blankToNull(env.get("OUTBOX_JDBC_URL")),
                env.getOrDefault("OUTBOX_JDBC_USER", "postgres"),
                env.get("OUTBOX_JDBC_PASSWORD") == null || env.get("OUTBOX_JDBC_PASSWORD").isEmpty()
                        ? null : Secret.of(env.get("OUTBOX_JDBC_PASSWORD")),
                Secret.of(env.getOrDefault("OUTBOX_DEMO_META_APP_SECRET", "demo-meta-app-secret")),
                Secret.of(env.getOrDefault("OUTBOX_DEMO_META_VERIFY_TOKEN", "demo-verify-token")),
                generated ? EncryptionKeys.generateBase64Key() : key.trim(),
                generated,
                Secret.of(env.getOrDefault("OUTBOX_DEMO_TWILIO_AUTH_TOKEN", "demo-twilio-auth-token")),
                blankToNull(env.get("OUTBOX_DEMO_PUBLIC_URL")),
                blankToNull(env.get("OUTBOX_DEMO_META_BASE_URL")),
                blankToNull(env.get("OUTBOX_DEMO_SMS_BASE_URL")));
    }

    boolean serve() {
        return "serve".equalsIgnoreCase(mode);
    }

    DemoConfig withPort(int newPort) {
        return new DemoConfig(mode, newPort, adminToken, jdbcUrl, jdbcUser, jdbcPassword, metaAppSecret,
                metaVerifyToken, encryptionKeyBase64, encryptionKeyGenerated, twilioAuthToken, publicUrl, metaBaseUrl,
                smsBaseUrl);
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
        return "DemoConfig[mode=" + mode + ", port=" + port + ", jdbcUrl=" + Objects.requireNonNullElse(jdbcUrl, "embedded")
                + ", publicUrl=" + publicUrl + "]";
    }
}
