package io.whatsappoutbox.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;

/** A {@link JdbcOutbox.Builder}'s rules, every broken one named with its setting, and the pool it may open. */
final class OutboxSettings {
    private OutboxSettings() {}

    static void check(JdbcOutbox.Builder b) {
        Violations v = new Violations();
        if (b.templateSource != null && v.requireNonNull("templateSync.every", b.templateSyncEvery)
                && (b.templateSyncEvery.compareTo(Duration.ofMinutes(1)) < 0
                        || b.templateSyncEvery.compareTo(Duration.ofDays(7)) > 0)) {
            v.add("templateSync.every", "is " + b.templateSyncEvery, "between 1 minute and 7 days");
        }
        if (b.retentionPolicy != null && v.requireNonNull("retention.every", b.retentionEvery)
                && (b.retentionEvery.compareTo(Duration.ofMinutes(1)) < 0
                        || b.retentionEvery.compareTo(Duration.ofDays(30)) > 0)) {
            v.add("retention.every", "is " + b.retentionEvery, "between 1 minute and 30 days");
        }
        if (b.retentionArchive != null && !java.nio.file.Files.isDirectory(b.retentionArchive)) {
            v.add("retention.archiveDirectory", "'" + b.retentionArchive + "' is not a directory",
                    "an existing, writable directory");
        }
        if (b.schema == null || !io.whatsappoutbox.jdbc.internal.SchemaNames.IDENTIFIER.matcher(b.schema).matches()) {
            v.add("schema", "is '" + b.schema + "'", "a lower-case SQL identifier: a letter or _, then letters, digits, _");
        }
        if (b.dataSource == null && b.jdbcUrl == null) {
            v.add("dataSource", "is missing", "a DataSource or a jdbcUrl");
        }
        if (b.dataSource != null && b.jdbcUrl != null) {
            v.add("jdbcUrl", "is set with a dataSource", "a DataSource or a jdbcUrl, not both");
        }
        if (b.jdbcUrl != null && !b.jdbcUrl.startsWith("jdbc:postgresql:")) {
            v.add("jdbcUrl", "is not a PostgreSQL JDBC URL", "starts with jdbc:postgresql:");
        }
        v.range("maximumPoolSize", b.maximumPoolSize, 1, 1000);
        v.range("defaultMaxAttempts", b.defaultMaxAttempts, 1, OutboundMessageRequest.MAX_ATTEMPTS_LIMIT);
        if (b.defaultMessagingLimit != null) {
            v.range("defaultMessagingLimit", b.defaultMessagingLimit, 1, 100_000_000);
        }
        v.requireNonNull("clock", b.clock);
        v.requireNonNull("storeClock", b.storeClock);
        v.requireNonNull("templateCheck", b.templateCheck);
        if (v.requireNonNull("configCacheFor", b.configCacheFor) && b.configCacheFor.isNegative()) {
            v.add("configCacheFor", "is negative", "zero or more");
        }
        if (v.requireNonNull("webhookDedupWindow", b.webhookDedupWindow)
                && (b.webhookDedupWindow.compareTo(Duration.ofDays(1)) < 0
                        || b.webhookDedupWindow.compareTo(Duration.ofDays(365)) > 0)) {
            v.add("webhookDedupWindow", "is " + b.webhookDedupWindow, "between 1 day and 365 days (Meta redelivers for 7)");
        }
        v.throwIfAny("outbox settings");
    }

    /** The outbox's own HikariCP pool, when the host gave a JDBC URL rather than its DataSource. */
    static HikariDataSource ownPool(JdbcOutbox.Builder b) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(b.jdbcUrl);
        config.setUsername(b.username);
        config.setPassword(b.password);
        config.setMaximumPoolSize(b.maximumPoolSize);
        config.setPoolName("whatsapp-outbox");
        config.setAutoCommit(true);
        return new HikariDataSource(config);
    }
}
