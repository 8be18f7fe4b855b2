package io.whatsappoutbox.examples.reliability;

import static io.whatsappoutbox.examples.reliability.InvalidInput.SCRIPT_INJECTION;
import static io.whatsappoutbox.examples.reliability.InvalidInput.SQL_INJECTION;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.jdbc.ops.Scope;
import io.whatsappoutbox.examples.reliability.InvalidInput.Case;
import io.whatsappoutbox.examples.reliability.InvalidInput.Cases;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host-facing entry points (the message request, enqueue, look-ups, consents, provider
 * configurations) given null, empty, blank, too long, badly formed and injection values: each is
 * refused with an error naming the field, before any SQL runs.
 */
class RequestAndStoreInvalidInputTest {
    static final String ORG = "org-input";
    static HikariDataSource ds;
    static JdbcOutbox outbox;
    static Sql sql;
    static long figuresCases;

    @BeforeAll
    static void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        sql = new Sql(ds);
        outbox.providerConfigs().save(ProviderConfig.of(ORG, "100000000000091", Secret.of("EAAInputToken001"),
                Secret.of("app-secret-input")), "test");
        outbox.enqueue(valid().build());
    }

    @AfterAll
    static void stop() {
        Figures.of("invalid-input-request-and-store").put("casesRefusedWithTheirField", figuresCases)
                .put("casesThatWrote", 0).write();
        ds.close();
    }

    static OutboundMessageRequest.Builder valid() {
        return OutboundMessageRequest.whatsapp(ORG, "+33611112222").template("appointment_reminder", "fr", "lundi")
                .idempotencyKey("input-1").dossierId("D-1").createdBy("api");
    }

    /** The request built and enqueued with one field changed. */
    static void enqueue(UnaryOperator<OutboundMessageRequest.Builder> change) {
        outbox.enqueue(change.apply(valid()).build());
    }

    static Stream<Case> cases() {
        String request = "OutboundMessageRequest+enqueue";
        return new Cases()
                .text(request, "orgId", 64, v -> enqueue(b -> b.orgId(v)), "org one", "-org", "org/1")
                .text(request, "to", 16, v -> enqueue(b -> b.to(v)), "0612345678", "+33 6 12 34 56 78", "+0612345678",
                        "33612345678", "+33612345678x")
                .one(request, "channel", "null", () -> enqueue(b -> b.channel(null)))
                .one(request, "content", "null", () -> enqueue(b -> b.content(null)))
                .strings(request, "idempotencyKey", v -> enqueue(b -> b.idempotencyKey(v)), "", "   ", "k".repeat(129),
                        "key with space", SQL_INJECTION, SCRIPT_INJECTION, "clé")
                .strings(request, "dossierId", v -> enqueue(b -> b.dossierId(v)), "", "d".repeat(65), "D 1",
                        SQL_INJECTION, SCRIPT_INJECTION)
                .strings(request, "createdBy", v -> enqueue(b -> b.createdBy(v)), "", "c".repeat(65), SQL_INJECTION,
                        SCRIPT_INJECTION)
                .one(request, "maxAttempts", "0", () -> enqueue(b -> b.maxAttempts(0)))
                .one(request, "maxAttempts", "21", () -> enqueue(b -> b.maxAttempts(21)))
                .one(request, "fallbackOf", "-1", () -> enqueue(b -> b.fallbackOf(-1L)))
                .strings(request, "text", v -> enqueue(b -> b.channel(Channel.SMS).text(v)), null, "", "   ",
                        "t".repeat(1601))
                .strings(request, "template.name", v -> enqueue(b -> b.template(v, "fr")), null, "", "Appointment Reminder",
                        "n".repeat(513), SQL_INJECTION, SCRIPT_INJECTION)
                .strings(request, "template.language", v -> enqueue(b -> b.template("appointment_reminder", v)), null,
                        "", "french", SQL_INJECTION, SCRIPT_INJECTION)
                .strings(request, "template.parameters[0].text", v -> enqueue(b -> b.template("appointment_reminder",
                        "fr", v)), "", "line\nbreak", "p".repeat(32_769))
                .one(request, "template", "on SMS", () -> enqueue(b -> b.channel(Channel.SMS)))
                .text("PhoneNumber.of", "phoneNumber", 16, PhoneNumber::of, "0612345678", "+33612345678 ")
                .text("JdbcOutbox.find", "orgId", 64, v -> outbox.find(v, 1), "org one")
                .text("JdbcOutbox.attempts", "orgId", 64, v -> outbox.attempts(v, 1), "org one")
                .text("JdbcOutbox.findFallback", "orgId", 64, v -> outbox.findFallback(v, 1), "org one")
                .text("JdbcOutbox.findByIdempotencyKey", "orgId", 64, v -> outbox.findByIdempotencyKey(v, "k"), "org one")
                .text("Consents.grant", "orgId", 64, v -> outbox.consents().grant(v, PhoneNumber.of("+33611112222"),
                        Channel.SMS, "web", "api"), "org one")
                .one("Consents.grant", "recipient", "null", () -> outbox.consents().grant(ORG, null, Channel.SMS, "web", "api"))
                .one("Consents.grant", "channel", "null", () -> outbox.consents().grant(ORG, PhoneNumber.of("+33611112222"),
                        null, "web", "api"))
                .strings("Consents.revoke", "source", v -> outbox.consents().revoke(ORG, PhoneNumber.of("+33611112222"),
                        Channel.SMS, v, "api"), null, "", "s".repeat(201), SCRIPT_INJECTION, "tab\there")
                .strings("Consents.revoke", "actor", v -> outbox.consents().revoke(ORG, PhoneNumber.of("+33611112222"),
                        Channel.SMS, "web", v), null, "", "a".repeat(65), SCRIPT_INJECTION)
                .text("ProviderConfig", "orgId", 64, v -> config(v, "100000000000092", null), "org one")
                .text("ProviderConfig", "phoneNumberId", 32, v -> config(ORG, v, null), "1000-0000", "+33611112222")
                .one("ProviderConfig", "messagesPerSecond", "0", () -> config(ORG, "100000000000092", 0))
                .one("ProviderConfig", "accessToken", "null", () -> outbox.providerConfigs().save(
                        new ProviderConfig(ORG, "100000000000092", null, null, null, true, null), "ops"))
                .strings("ProviderConfigs.rotateWebhookSecret", "secret", v -> outbox.providerConfigs()
                        .rotateWebhookSecret(Scope.org(ORG), v == null ? null : Secret.of(v), Duration.ofDays(1), "ops",
                                false), null, "too-short", "a secret with blanks in it", "s".repeat(513), "tab\there-0123456789")
                .one("ProviderConfigs.rotateWebhookSecret", "overlap", "-1 day", () -> outbox.providerConfigs()
                        .rotateWebhookSecret(Scope.org(ORG), Secret.of("6f1c0d0b5b2e4c8a9e7f3a1b2c4d6e8f"),
                                Duration.ofDays(-1), "ops", false))
                .stream();
    }

    static void config(String org, String phoneNumberId, Integer rate) {
        outbox.providerConfigs().save(new ProviderConfig(org, phoneNumberId, null, Secret.of("EAAInputToken002"),
                Secret.of("app-secret-input-2"), true, rate), "ops");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithTheFieldNamedAndNothingWritten(Case c) {
        InvalidInput.assertRefused(c, sql);
        figuresCases++;
    }

    @Test
    void injectionStringsInFreeTextAreStoredVerbatimAndHarmless() {
        String hostile = SQL_INJECTION + " " + SCRIPT_INJECTION + " $$; TRUNCATE outbound_message; $$";
        long id = outbox.enqueue(OutboundMessageRequest.sms(ORG, "+33611113333").text(hostile).idempotencyKey("free-text")
                .build()).message().id();
        outbox.consents().grant(ORG, PhoneNumber.of("+33611113333"), Channel.SMS, "x' OR '1'='1", "jdoe");
        assertThat(outbox.find(ORG, id).orElseThrow().content()).isEqualTo(MessageContent.text(hostile));
        assertThat(sql.one("SELECT source FROM consentement WHERE phone_number = '+33611113333'")).isEqualTo("x' OR '1'='1");
        assertThat(sql.count("SELECT count(*) FROM outbound_message")).isEqualTo(2);
        assertThat(outbox.findByIdempotencyKey(ORG, SQL_INJECTION)).isEmpty();
        assertThat(sql.rows("SELECT to_regclass('outbound_message') IS NOT NULL AS present")).isEqualTo(
                List.of(Map.of("present", true)));
    }
}
