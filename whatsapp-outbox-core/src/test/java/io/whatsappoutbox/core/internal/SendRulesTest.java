package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.TestMessages;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.store.SessionWindow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SendRulesTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    final SendRules rules = new SendRules(ConsentPolicy.requireGrant());

    @Test
    void allowsATemplateWithConsentOutsideTheWindow() {
        assertThat(rules.check(TestMessages.whatsappTemplate(NOW), ConsentStatus.GRANTED, SessionWindow.never(), NOW))
                .isInstanceOf(SendRules.Allowed.class);
    }

    @Test
    void blocksAnyMessageWithoutGrantedConsent() {
        for (ConsentStatus c : new ConsentStatus[] {ConsentStatus.REVOKED, ConsentStatus.UNKNOWN}) {
            SendRules.Verdict v = rules.check(TestMessages.whatsappTemplate(NOW), c, SessionWindow.never(), NOW);
            assertThat(v).isInstanceOfSatisfying(SendRules.Blocked.class, b -> {
                assertThat(b.error().code()).isEqualTo(OutboxErrorCodes.NO_CONSENT);
                assertThat(b.error().category()).isEqualTo(ErrorCategory.OPTED_OUT);
            });
        }
        assertThat(rules.check(TestMessages.smsText("hi", NOW), null, null, NOW)).isInstanceOf(SendRules.Blocked.class);
    }

    @Test
    void blocksFreeFormWhatsAppOutsideTheWindowOnly() {
        OutboundMessage text = TestMessages.whatsappText("hello", NOW);
        assertThat(rules.check(text, ConsentStatus.GRANTED, new SessionWindow(NOW.minus(Duration.ofHours(23))), NOW))
                .isInstanceOf(SendRules.Allowed.class);
        assertThat(rules.check(text, ConsentStatus.GRANTED, new SessionWindow(NOW.minus(Duration.ofHours(24))), NOW))
                .isInstanceOfSatisfying(SendRules.Blocked.class, b -> {
                    assertThat(b.error().code()).isEqualTo(OutboxErrorCodes.SESSION_WINDOW_CLOSED);
                    assertThat(b.error().category()).isEqualTo(ErrorCategory.SESSION_EXPIRED);
                });
        assertThat(rules.check(text, ConsentStatus.GRANTED, SessionWindow.never(), NOW)).isInstanceOf(SendRules.Blocked.class);
    }

    @Test
    void smsIgnoresTheWhatsAppWindow() {
        assertThat(rules.check(TestMessages.smsText("hi", NOW), ConsentStatus.GRANTED, SessionWindow.never(), NOW))
                .isInstanceOf(SendRules.Allowed.class);
    }

    @Test
    void consentPolicyCanRelaxAChannel() {
        SendRules relaxed = new SendRules(ConsentPolicy.requireGrant().with(Channel.SMS, ConsentPolicy.Requirement.NOT_REVOKED));
        assertThat(relaxed.check(TestMessages.smsText("hi", NOW), ConsentStatus.UNKNOWN, null, NOW))
                .isInstanceOf(SendRules.Allowed.class);
        assertThat(relaxed.check(TestMessages.smsText("hi", NOW), ConsentStatus.REVOKED, null, NOW))
                .isInstanceOf(SendRules.Blocked.class);
        SendRules none = new SendRules(ConsentPolicy.requireGrant().with(Channel.WHATSAPP, ConsentPolicy.Requirement.NONE));
        assertThat(none.check(TestMessages.whatsappTemplate(NOW), ConsentStatus.REVOKED, null, NOW))
                .isInstanceOf(SendRules.Allowed.class);
    }

    @Test
    void sessionWindowReportsWhenItCloses() {
        SessionWindow w = new SessionWindow(NOW);
        assertThat(w.closesAt()).contains(NOW.plus(Duration.ofHours(24)));
        assertThat(w.isOpenAt(NOW.plus(Duration.ofHours(24)).minusMillis(1))).isTrue();
        assertThat(w.isOpenAt(NOW.plus(Duration.ofHours(24)))).isFalse();
        assertThat(SessionWindow.never().closesAt()).isEmpty();
    }
}
