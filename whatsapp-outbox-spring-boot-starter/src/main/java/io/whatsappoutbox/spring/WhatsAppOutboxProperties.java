package io.whatsappoutbox.spring;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code whatsapp.outbox.*}: what the auto-configuration needs to build the outbox, its providers,
 * its dispatcher and its webhook endpoints. Checked at start-up; an error names the property.
 *
 * @param encryptionKey the key that encrypts the access tokens and app secrets stored in the database
 * @param schema the PostgreSQL schema of the outbox's tables, apart from the application's
 * @param accounts WhatsApp accounts by org id, saved to the database at start-up when absent or changed
 *     (or manage them with the operator CLI's {@code config} commands and leave this empty)
 */
@ConfigurationProperties("whatsapp.outbox")
public record WhatsAppOutboxProperties(EncryptionKey encryptionKey, @DefaultValue("whatsapp_outbox") String schema,
        @DefaultValue Migrations migrations,
        @DefaultValue Dispatcher dispatcher, @DefaultValue Meta meta, @DefaultValue Sms sms,
        Map<String, Account> accounts, @DefaultValue Webhooks webhooks) {

    public WhatsAppOutboxProperties {
        accounts = accounts == null ? Map.of() : Map.copyOf(accounts);
    }

    /** @param id names the key in the stored ciphertexts (rotation keeps older ids readable) */
    public record EncryptionKey(String id, String base64) {}

    /** Who applies the outbox's schema. */
    public enum MigrationMode {
        /** The outbox, at start-up (safe from several instances at once). */
        LIBRARY,
        /**
         * Flyway (on the classpath, with {@code flyway-database-postgresql}): the outbox's scripts from
         * their own location with their own history table, apart from the host's migrations.
         */
        FLYWAY,
        /** The host (its DBA, its own tooling); the outbox checks nothing. */
        NONE
    }

    public record Migrations(@DefaultValue("library") MigrationMode mode) {}

    /**
     * @param stopBudget how long a shutdown waits for the sends in flight and their results: keep it
     *     under {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s by default)
     * @param staleAfter the health indicator reports DOWN when no claim returned for that long
     */
    public record Dispatcher(@DefaultValue("true") boolean enabled, @DefaultValue("100") int batchSize,
            Integer concurrency, @DefaultValue("500ms") Duration pollInterval,
            @DefaultValue("20s") Duration stopBudget, @DefaultValue("2m") Duration staleAfter, String instanceId) {}

    /**
     * @param asynchronous unset: the provider's default (its non-blocking client, a call in flight
     *     holding no thread); {@code false}: the dispatcher's send threads call it
     */
    public record Meta(@DefaultValue("true") boolean enabled, @DefaultValue("https://graph.facebook.com") String baseUrl,
            @DefaultValue("10s") Duration callTimeout, Boolean asynchronous) {}

    /** Twilio-compatible SMS, off unless enabled. */
    public record Sms(@DefaultValue("false") boolean enabled, @DefaultValue("https://api.twilio.com") String baseUrl,
            String accountSid, String authToken, String from, String statusCallbackUrl) {}

    /**
     * A WhatsApp Business number of an org.
     *
     * @param appSecret the app secret Meta generated for the app (signs its webhooks)
     */
    public record Account(String phoneNumberId, String businessAccountId, String accessToken, String appSecret) {}

    /** Opt-in HTTP endpoints for the providers' webhooks (Spring MVC). */
    public record Webhooks(@DefaultValue MetaEndpoint meta, @DefaultValue TwilioEndpoint twilio) {}

    /** @param verifyToken the token chosen for Meta's subscription handshake */
    public record MetaEndpoint(@DefaultValue("false") boolean enabled,
            @DefaultValue("/webhooks/whatsapp") String path, String verifyToken) {}

    /** @param publicUrl the URL Twilio calls, as Twilio signs it */
    public record TwilioEndpoint(@DefaultValue("false") boolean enabled,
            @DefaultValue("/webhooks/sms/status") String path, String publicUrl) {}
}
