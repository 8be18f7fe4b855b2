package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dispatcher's maintenance keeps the registry fresh: one org per pass, the most overdue first. */
class TemplateSyncScheduleTest {
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    static final String KEY = EncryptionKeys.generateBase64Key();

    HikariDataSource ds;
    MutableClock clock;

    /** Meta's list for each account, recording which orgs were asked; an org in {@code failing} is refused. */
    static final class Lists implements TemplateSource {
        final List<String> asked = Collections.synchronizedList(new ArrayList<>());
        final Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public List<TemplateDefinition> fetch(WhatsAppAccount account) {
            asked.add(account.orgId());
            if (failing.contains(account.orgId())) {
                throw new IllegalStateException("Meta answered 401 for business account " + account.businessAccountId());
            }
            return List.of(TemplateRegistryTest.REMINDER);
        }
    }

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(T0);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    JdbcOutbox outbox(Lists source) {
        JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds).clock(clock)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", KEY)).templateSync(source, Duration.ofHours(6)).build();
        outbox.providerConfigs().save(new ProviderConfig("org-a", "1001", "2001", Secret.of("EAAJ-a"), null, true,
                null), "test");
        outbox.providerConfigs().save(new ProviderConfig("org-b", "1002", "2002", Secret.of("EAAJ-b"), null, true,
                null), "test");
        outbox.providerConfigs().save(new ProviderConfig("org-off", "1003", "2003", Secret.of("EAAJ-c"), null, false,
                null), "test");
        return outbox;
    }

    static Dispatcher dispatcher(JdbcOutbox outbox, MutableClock clock) {
        return outbox.dispatcher().clock(clock).provider(Channel.WHATSAPP, ScriptedProvider.whatsapp()).build();
    }

    @Test
    void eachPassSyncsOneEnabledOrgNeverSyncedFirstThenNoneUntilTheIntervalHasPassed() {
        Lists source = new Lists();
        JdbcOutbox outbox = outbox(source);
        outbox.templates().sync("org-b", source);
        source.asked.clear();
        clock.advance(Duration.ofHours(1));
        try (Dispatcher d = dispatcher(outbox, clock)) {
            d.runMaintenance();
            assertThat(source.asked).containsExactly("org-a");
            assertThat(outbox.templates().lastSync("org-a")).contains(clock.instant());
            d.runMaintenance();
            assertThat(source.asked).as("org-b was synced an hour ago: not due").containsExactly("org-a");

            clock.advance(Duration.ofHours(5));
            d.runMaintenance();
            d.runMaintenance();
            assertThat(source.asked).as("org-b due first, its sync the oldest").containsExactly("org-a", "org-b");
            clock.advance(Duration.ofHours(1));
            d.runMaintenance();
            assertThat(source.asked).containsExactly("org-a", "org-b", "org-a");
        }
        assertThat(outbox.templates().list("org-a")).extracting(TemplateDefinition::name)
                .containsExactly("appointment_reminder");
        assertThat(outbox.templates().lastSync("org-off")).as("a disabled account is never synced").isEmpty();
    }

    @Test
    void aFailingOrgIsPassedOverForAnIntervalAndTheOthersAndMaintenanceGoOn() {
        Lists source = new Lists();
        source.failing.add("org-a");
        JdbcOutbox outbox = outbox(source);
        try (Dispatcher d = dispatcher(outbox, clock)) {
            d.runMaintenance();
            d.runMaintenance();
            d.runMaintenance();
            assertThat(source.asked).containsExactly("org-a", "org-b");
            assertThat(outbox.templates().lastSync("org-a")).isEmpty();

            source.failing.clear();
            clock.advance(Duration.ofHours(6));
            d.runMaintenance();
            assertThat(source.asked).containsExactly("org-a", "org-b", "org-a");
            assertThat(outbox.templates().lastSync("org-a")).contains(clock.instant());
        }
    }

    @Test
    void anIntervalOutsideItsRangeIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> JdbcOutbox.builder().dataSource(ds).templateSync(new Lists(), Duration.ofSeconds(10))
                .build()).isInstanceOf(InvalidInputException.class).hasMessageContaining("templateSync.every")
                .hasMessageContaining("between 1 minute and 7 days");
    }
}
