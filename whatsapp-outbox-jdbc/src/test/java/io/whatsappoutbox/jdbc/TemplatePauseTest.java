package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A paused template (Meta 132015) waits Meta's pause without spending an attempt or holding the
 * org's other messages, unless a fallback rule takes it; a non-text message falls back to an SMS
 * its rule writes from the content.
 */
class TemplatePauseTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    HikariDataSource ds;
    JdbcOutbox outbox;
    ScriptedProvider meta;
    ScriptedProvider sms;
    final List<Dispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        meta = ScriptedProvider.whatsapp();
        sms = ScriptedProvider.sms();
    }

    @AfterEach
    void stop() {
        dispatchers.forEach(Dispatcher::close);
        ds.close();
    }

    void started(FallbackRules rules) {
        Dispatcher d = outbox.dispatcher().provider(Channel.WHATSAPP, meta).provider(Channel.SMS, sms)
                .fallbackRules(rules).pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(10)).build();
        dispatchers.add(d);
        d.start();
    }

    long enqueue(OutboundMessageRequest r) {
        outbox.consents().grant(r.orgId(), r.to(), Channel.WHATSAPP, "test", "test");
        outbox.consents().grant(r.orgId(), r.to(), Channel.SMS, "test", "test");
        return outbox.enqueue(r).message().id();
    }

    @Test
    void aPausedTemplateWaitsThreeHoursWithoutAnAttemptWhileTheOrgKeepsSending() {
        meta.script(Requests.phone(1), ScriptedProvider.error("132015", 400));
        long paused = enqueue(Requests.template("org-1", 1));
        long other = enqueue(Requests.template("org-1", 2));
        Instant before = Instant.now();
        started(FallbackRules.none());
        Eventually.await("the paused template deferred", WAIT, () -> outbox.find("org-1", paused).orElseThrow()
                .deferralCount() == 1);
        Eventually.await("the org's other template sent", WAIT, () -> outbox.find("org-1", other).orElseThrow()
                .status().name().equals("SENT"));
        OutboundMessage m = outbox.find("org-1", paused).orElseThrow();
        assertThat(m.status().name()).isEqualTo("QUEUED");
        assertThat(m.attemptCount()).isZero();
        assertThat(m.nextAttemptAt()).isAfter(before.plus(Duration.ofHours(3)).minusSeconds(1));
        assertThat(m.lastError().code()).isEqualTo("132015");
        assertThat(m.lastError().category()).isEqualTo(ErrorCategory.TEMPLATE);
        assertThat(outbox.attempts("org-1", paused)).extracting(a -> a.outcome().name()).containsExactly("DEFERRED");
        assertThat(new Sql(ds).count("SELECT count(*) FROM whatsapp_rate_limit WHERE throttle_until IS NOT NULL")).isZero();
    }

    @Test
    void aRuleWithATemplateFallbackSendsTheSmsAtOnceInsteadOfWaiting() {
        meta.script(Requests.phone(3), ScriptedProvider.error("132015", 400));
        long paused = enqueue(Requests.template("org-1", 3));
        started(FallbackRules.of(FallbackRule.forTemplates("appointment_reminder")
                .onDeadLetter(ErrorCategory.TEMPLATE).smsText(m -> "Rappel : votre rendez-vous de lundi")));
        Eventually.await("the SMS sent", WAIT, () -> outbox.findFallback("org-1", paused)
                .map(f -> f.status().name().equals("SENT")).orElse(false));
        assertThat(outbox.find("org-1", paused).orElseThrow().status().name()).isEqualTo("FAILED");
        assertThat(outbox.find("org-1", paused).orElseThrow().lastError().message()).contains("falling back");
    }

    @Test
    void aLocationThatCannotBeDeliveredFallsBackToAnSmsWrittenFromItsAddress() {
        meta.script(Requests.phone(4), ScriptedProvider.error("131026", 400));
        new Sql(ds).update("INSERT INTO whatsapp_session_window VALUES ('org-1', ?, now() - interval '1 hour',"
                + " now() + interval '23 hours', now())", Requests.phone(4));
        long location = enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(4))
                .content(Location.of(43.2965, 5.3698, "Agence du Port", "12 rue du Port, Marseille")
                        .inReplyTo("wamid.Q1"))
                .idempotencyKey("loc-4").build());
        started(FallbackRules.of(FallbackRule.forContentTypes(ContentType.LOCATION)
                .onDeadLetter(ErrorCategory.UNDELIVERABLE)
                .smsText(m -> "Notre agence : " + ((Location) m.content().withoutContext()).address())));
        Eventually.await("the SMS sent", WAIT, () -> outbox.findFallback("org-1", location)
                .map(f -> f.status().name().equals("SENT")).orElse(false));
        OutboundMessage fallback = outbox.findFallback("org-1", location).orElseThrow();
        assertThat(fallback.channel()).isEqualTo(Channel.SMS);
        assertThat(fallback.content()).isEqualTo(io.whatsappoutbox.core.MessageContent.text(
                "Notre agence : 12 rue du Port, Marseille"));
        assertThat(fallback.to()).isEqualTo(PhoneNumber.of(Requests.phone(4)));
    }
}
