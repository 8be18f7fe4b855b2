package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.testing.MutableClock;
import static io.whatsappoutbox.meta.Webhooks.APP_SECRET;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_2;
import static io.whatsappoutbox.meta.Webhooks.T0;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static io.whatsappoutbox.meta.Webhooks.status;
import static io.whatsappoutbox.meta.Webhooks.statuses;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WebhookSecrets.Candidate;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Only a body signed with a secret valid now, for the orgs it speaks for, reaches the sink. */
class MetaWebhookSignatureTest {
    static final String ORG_1_BODY = envelope(entry("102290129340398",
            change(PHONE_ID_1, statuses(status("wamid.1", "delivered", "1749416383")))));
    static final String ORG_2_BODY = envelope(entry("202290129340399",
            change(PHONE_ID_2, statuses(status("wamid.2", "read", "1749416383")))));
    static final byte[] BODY = ORG_1_BODY.getBytes(StandardCharsets.UTF_8);

    final RecordingSink sink = new RecordingSink();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MetaWebhookHandler handler = Webhooks.handler(sink).meterRegistry(registry).build();

    private double failures() {
        return registry.find("whatsapp.webhook.signature.failures").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private void refused(WebhookResponse r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("{\"error\":\"invalid signature\"}");
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void acceptsABodySignedWithTheAppSecret() {
        WebhookResponse r = handler.handle(Webhooks.signed(APP_SECRET, BODY));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"received\":1}");
        assertThat(sink.receipts()).hasSize(1);
        assertThat(failures()).isZero();
    }

    @Test
    void refusesAForgedSignature() {
        refused(handler.handle(Webhooks.signed(Secret.of("attacker-guess"), BODY)));
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void refusesABodyChangedAfterSigning() {
        byte[] tampered = ORG_1_BODY.replace("delivered", "read").getBytes(StandardCharsets.UTF_8);

        refused(handler.handle(Webhooks.post(tampered, Webhooks.signature(APP_SECRET, BODY))));
    }

    @Test
    void refusesATruncatedSignature() {
        String good = Webhooks.signature(APP_SECRET, BODY);

        refused(handler.handle(Webhooks.post(BODY, good.substring(0, good.length() - 1))));
        refused(handler.handle(Webhooks.post(BODY, "sha256=")));
    }

    @Test
    void refusesAMissingOrBlankHeader() {
        refused(handler.handle(Webhooks.post(BODY, null)));
        refused(handler.handle(Webhooks.post(BODY, "  ")));
        assertThat(registry.get("whatsapp.webhook.signature.failures").tag("reason", "missing").counter().count())
                .isEqualTo(2);
    }

    @Test
    void refusesAWrongPrefix() {
        String hex = Webhooks.signature(APP_SECRET, BODY).substring("sha256=".length());

        refused(handler.handle(Webhooks.post(BODY, "sha1=" + hex)));
        refused(handler.handle(Webhooks.post(BODY, "SHA256=" + hex)));
        refused(handler.handle(Webhooks.post(BODY, hex)));
        assertThat(registry.get("whatsapp.webhook.signature.failures").tag("reason", "malformed").counter().count())
                .isEqualTo(3);
    }

    @Test
    void refusesNonHexSignatureOfTheRightLength() {
        refused(handler.handle(Webhooks.post(BODY, "sha256=" + "z".repeat(64))));
    }

    @Test
    void acceptsTheRightMacWrittenInUpperCaseHex() {
        // the same 256 bits: hex is case-insensitive, only the value is secret
        String upper = "sha256=" + Webhooks.signature(APP_SECRET, BODY).substring(7).toUpperCase(Locale.ROOT);

        assertThat(handler.handle(Webhooks.post(BODY, upper)).status()).isEqualTo(200);
    }

    @Test
    void refusesAnUpperCaseHexOfTheWrongMac() {
        String upper = "sha256=" + Webhooks.signature(Secret.of("other"), BODY).substring(7).toUpperCase(Locale.ROOT);

        refused(handler.handle(Webhooks.post(BODY, upper)));
    }

    @Test
    void acceptsThePreviousSecretUntilTheOverlapEndsThenOnlyTheNewOne() {
        Secret oldSecret = Secret.of("old-secret");
        Secret newSecret = Secret.of("new-secret");
        Instant overlapEnd = T0.plus(Duration.ofHours(1));
        // the store returns both; the handler itself must drop the expired one
        WebhookSecrets rotating = now -> List.of(new Candidate(null, newSecret, null),
                new Candidate(null, oldSecret, overlapEnd));
        MutableClock clock = new MutableClock(T0);
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(rotating).clock(clock).build();

        assertThat(h.handle(Webhooks.signed(oldSecret, BODY)).status()).isEqualTo(200);
        assertThat(h.handle(Webhooks.signed(newSecret, BODY)).status()).isEqualTo(200);
        clock.set(overlapEnd.minusMillis(1));
        assertThat(h.handle(Webhooks.signed(oldSecret, BODY)).status()).isEqualTo(200);
        clock.set(overlapEnd);
        assertThat(h.handle(Webhooks.signed(oldSecret, BODY)).status()).isEqualTo(401);
        assertThat(h.handle(Webhooks.signed(newSecret, BODY)).status()).isEqualTo(200);
        assertThat(sink.batches).hasSize(4);
    }

    /** A cache that is stale until refreshed, counting both calls. */
    static final class StaleSecrets implements WebhookSecrets {
        final AtomicInteger candidates = new AtomicInteger();
        final AtomicInteger refreshes = new AtomicInteger();
        final List<Candidate> stale;
        final List<Candidate> fresh;

        StaleSecrets(List<Candidate> stale, List<Candidate> fresh) {
            this.stale = stale;
            this.fresh = fresh;
        }

        @Override
        public List<Candidate> candidates(Instant now) {
            candidates.incrementAndGet();
            return stale;
        }

        @Override
        public List<Candidate> refresh(Instant now) {
            refreshes.incrementAndGet();
            return fresh;
        }
    }

    @Test
    void refreshesTheSecretsOnceWhenNoCandidateMatches() {
        Secret rotated = Secret.of("rotated-a-moment-ago");
        StaleSecrets secrets = new StaleSecrets(List.of(new Candidate(null, APP_SECRET, null)),
                List.of(new Candidate(null, rotated, null)));
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).build();

        assertThat(h.handle(Webhooks.signed(rotated, BODY)).status()).isEqualTo(200);
        assertThat(secrets.refreshes).hasValue(1);
        assertThat(sink.batches).hasSize(1);
    }

    @Test
    void refreshesAtMostOnceForAWrongSignature() {
        StaleSecrets secrets = new StaleSecrets(List.of(new Candidate(null, APP_SECRET, null)),
                List.of(new Candidate(null, APP_SECRET, null)));
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).build();

        refused(h.handle(Webhooks.signed(Secret.of("wrong"), BODY)));
        assertThat(secrets.candidates).hasValue(1);
        assertThat(secrets.refreshes).hasValue(1);
    }

    @Test
    void doesNotRefreshWhenACurrentSecretMatches() {
        StaleSecrets secrets = new StaleSecrets(List.of(new Candidate(null, APP_SECRET, null)), List.of());
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).build();

        assertThat(h.handle(Webhooks.signed(APP_SECRET, BODY)).status()).isEqualTo(200);
        assertThat(secrets.refreshes).hasValue(0);
    }

    static final Secret ORG_1_SECRET = Secret.of("org-1-app-secret");
    static final Secret ORG_2_SECRET = Secret.of("org-2-app-secret");
    static final WebhookSecrets PER_ORG = now -> List.of(new Candidate("org-1", ORG_1_SECRET, null),
            new Candidate("org-2", ORG_2_SECRET, null));

    @Test
    void acceptsEachOrgsBodySignedWithItsOwnSecret() {
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(PER_ORG).build();

        assertThat(h.handle(Webhooks.signed(ORG_1_SECRET, ORG_1_BODY)).status()).isEqualTo(200);
        assertThat(h.handle(Webhooks.signed(ORG_2_SECRET, ORG_2_BODY)).status()).isEqualTo(200);
        assertThat(sink.batches).hasSize(2);
    }

    @Test
    void refusesABodyForAnotherOrgSignedWithOneOrgsSecret() {
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(PER_ORG).meterRegistry(registry).build();

        refused(h.handle(Webhooks.signed(ORG_1_SECRET, ORG_2_BODY)));
        assertThat(registry.get("whatsapp.webhook.signature.failures").tag("reason", "org_mismatch").counter().count())
                .isEqualTo(1);
    }

    @Test
    void refusesTheWholeBodyWhenOneChangeBelongsToAnotherOrg() {
        String mixed = envelope(entry("102290129340398",
                change(PHONE_ID_1, statuses(status("wamid.1", "delivered", "1749416383"))),
                change(PHONE_ID_2, statuses(status("wamid.2", "delivered", "1749416383")))));
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(PER_ORG).build();

        refused(h.handle(Webhooks.signed(ORG_1_SECRET, mixed)));
    }

    @Test
    void acceptsAMixedBodyWhenItsSecretBelongsToBothOrgs() {
        Secret common = Secret.of("one-meta-app");
        String mixed = envelope(entry("102290129340398",
                change(PHONE_ID_1, statuses(status("wamid.1", "delivered", "1749416383"))),
                change(PHONE_ID_2, statuses(status("wamid.2", "delivered", "1749416383")))));
        MetaWebhookHandler h = Webhooks.handler(sink)
                .secrets(now -> List.of(new Candidate("org-1", common, null), new Candidate("org-2", common, null)))
                .build();

        assertThat(h.handle(Webhooks.signed(common, mixed)).status()).isEqualTo(200);
        assertThat(sink.receipts()).hasSize(2);
    }

    @Test
    void refusesABodyLargerThanTheLimitBeforeLookingAtIt() {
        StaleSecrets secrets = new StaleSecrets(List.of(new Candidate(null, APP_SECRET, null)), List.of());
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).maxBodyBytes(BODY.length - 1)
                .meterRegistry(registry).build();

        WebhookResponse signed = h.handle(Webhooks.signed(APP_SECRET, BODY));
        WebhookResponse unsigned = h.handle(Webhooks.post(BODY, null));

        assertThat(signed.status()).isEqualTo(413);
        assertThat(unsigned.status()).isEqualTo(413);
        assertThat(secrets.candidates).hasValue(0);
        assertThat(sink.batches).isEmpty();
        assertThat(failures()).isZero();
    }

    @Test
    void acceptsABodyOfExactlyTheLimit() {
        MetaWebhookHandler h = Webhooks.handler(sink).maxBodyBytes(BODY.length).build();

        assertThat(h.handle(Webhooks.signed(APP_SECRET, BODY)).status()).isEqualTo(200);
    }

    @Test
    void logsOneWarningWithoutSecretOrPresentedSignature() {
        String presented = Webhooks.signature(Secret.of("attacker-guess"), BODY);
        try (LogCapture logs = new LogCapture()) {
            refused(handler.handle(Webhooks.post(BODY, presented)));

            assertThat(logs.lines(Level.WARN)).hasSize(1).first().asString()
                    .contains("Invalid webhook signature");
            assertThat(logs.all()).doesNotContain(presented.substring(7), APP_SECRET.reveal(), "attacker-guess",
                    Webhooks.signature(APP_SECRET, BODY).substring(7));
        }
    }

    @Test
    void prometheusRendersTheFailureCounterAsTheRunbookAlertsOnIt() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MetaWebhookHandler h = Webhooks.handler(sink).meterRegistry(prometheus).build();

        h.handle(Webhooks.post(BODY, null));

        assertThat(prometheus.scrape()).containsPattern(
                "whatsapp_webhook_signature_failures_total\\{[^}]*reason=\"missing\"[^}]*} 1\\.0");
    }

    @Test
    void answers500WhenTheSecretsCannotBeLoaded() {
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(now -> {
            throw new IllegalStateException("database down");
        }).build();

        WebhookResponse r = h.handle(Webhooks.signed(APP_SECRET, BODY));

        assertThat(r.status()).isEqualTo(500);
        assertThat(sink.batches).isEmpty();
    }

    /** Secrets routed by phone number id, recording what each check asked for. */
    static final class RoutedSecrets implements WebhookSecrets {
        final List<Set<String>> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AtomicInteger refreshes = new AtomicInteger();

        @Override
        public List<Candidate> candidates(Instant now) {
            return PER_ORG.candidates(now);
        }

        @Override
        public List<Candidate> candidatesFor(Set<String> phoneNumberIds, Instant now) {
            asked.add(phoneNumberIds);
            return phoneNumberIds.contains(PHONE_ID_2) ? List.of(new Candidate("org-2", ORG_2_SECRET, null))
                    : List.of(new Candidate("org-1", ORG_1_SECRET, null));
        }

        @Override
        public List<Candidate> refreshFor(Set<String> phoneNumberIds, Instant now) {
            refreshes.incrementAndGet();
            return candidatesFor(phoneNumberIds, now);
        }
    }

    @Test
    void checksTheSecretsOfTheOrgsTheBodyNamesAndHashesNoMoreWhenTheStoreDidNotReload() {
        RoutedSecrets secrets = new RoutedSecrets();
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).build();

        assertThat(h.handle(Webhooks.signed(ORG_2_SECRET, ORG_2_BODY)).status()).isEqualTo(200);
        assertThat(secrets.asked).containsExactly(Set.of(PHONE_ID_2));
        // org-1's secret cannot speak for org-2's number: it is not even tried
        assertThat(h.handle(Webhooks.signed(ORG_1_SECRET, ORG_2_BODY)).status()).isEqualTo(401);
        assertThat(sink.batches).hasSize(1);
        assertThat(secrets.refreshes).hasValue(1);
        assertThat(secrets.asked).hasSize(3).allSatisfy(ids -> assertThat(ids).containsExactly(PHONE_ID_2));
    }

    @Test
    void theDefaultLimitIsMetasLargestPayloadOf3Mib() {
        StaleSecrets secrets = new StaleSecrets(List.of(new Candidate(null, APP_SECRET, null)), List.of());
        MetaWebhookHandler h = Webhooks.handler(sink).secrets(secrets).build();
        byte[] over = new byte[MetaWebhookHandler.DEFAULT_MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(over, (byte) ' ');

        assertThat(MetaWebhookHandler.DEFAULT_MAX_BODY_BYTES).isEqualTo(3 * 1024 * 1024);
        assertThat(h.handle(Webhooks.signed(APP_SECRET, over)).status()).isEqualTo(413);
        assertThat(secrets.candidates).hasValue(0);
    }
}
