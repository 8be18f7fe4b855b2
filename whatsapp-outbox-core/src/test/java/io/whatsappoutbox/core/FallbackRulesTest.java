package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FallbackRulesTest {
    static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    final FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates("offer_of_the_week")
            .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Offre de la semaine"));

    @ParameterizedTest
    @EnumSource(ConsentPurpose.class)
    void theSmsFallbackNeedsTheConsentItsParentNeeded(ConsentPurpose purpose) {
        OutboundMessage parent = TestMessages.stored(7, OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .template("offer_of_the_week", "fr", "T3 centre-ville").purpose(purpose).build(),
                MessageStatus.SENDING, NOW);

        OutboundMessageRequest sms = rules.onDeadLetter(parent, ErrorCategory.UNDELIVERABLE).orElseThrow();

        assertThat(sms.channel()).isEqualTo(Channel.SMS);
        assertThat(sms.fallbackOf()).isEqualTo(7L);
        assertThat(sms.purpose()).isEqualTo(purpose);
    }

    @Test
    void operatorFallbacksKeepTheMarketingPurposeToo() {
        OutboundMessage parent = TestMessages.stored(8, OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .template("offer_of_the_week", "fr", "T2").purpose(ConsentPurpose.MARKETING).build(),
                MessageStatus.FAILED, NOW);

        assertThat(rules.onOperatorRequest(parent).orElseThrow().purpose()).isEqualTo(ConsentPurpose.MARKETING);
    }
}
