package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.FallbackRule;
import io.whatsappoutbox.core.FallbackRules;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.TestMessages;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A paused template waits Meta's pause, or falls back at once when a rule has a fallback for it. */
class FailureDeciderTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    final OutboundMessage template = TestMessages.whatsappTemplate(NOW);
    final ProviderError paused = ProviderError.of("132015", 400, "Template is paused");

    @Test
    void aPausedTemplateWaitsThreeHoursWithoutAnAttemptWhenNoRuleFallsBack() {
        FailureDecider decider = new FailureDecider(RetryPolicy.defaults(), FallbackRules.none(), Duration.ofMinutes(10));
        FailureDecider.Decision d = decider.decide(template, paused, ErrorCatalogue.meta(), NOW);
        assertThat(d.kind()).isEqualTo(FailureDecider.Kind.DEFER);
        assertThat(d.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofHours(3)));
        assertThat(d.throttleOrgUntil()).isNull();
        assertThat(d.error().category()).isEqualTo(ErrorCategory.TEMPLATE);
    }

    @Test
    void aPausedTemplateFallsBackAtOnceWhenARuleTakesItsTemplateErrors() {
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates(template.templateName().orElseThrow())
                .onDeadLetter(ErrorCategory.TEMPLATE).smsText(m -> "Rappel : rendez-vous lundi"));
        FailureDecider decider = new FailureDecider(RetryPolicy.defaults(), rules, Duration.ofMinutes(10));
        FailureDecider.Decision d = decider.decide(template, paused, ErrorCatalogue.meta(), NOW);
        assertThat(d.kind()).isEqualTo(FailureDecider.Kind.DEAD_LETTER);
        assertThat(d.fallback()).isNotNull();
        assertThat(d.fallback().fallbackOf()).isEqualTo(template.id());
        assertThat(d.error().message()).contains("falling back instead of waiting");
    }

    @Test
    void aRuleForOtherCategoriesLetsThePausedTemplateWait() {
        FallbackRules rules = FallbackRules.of(FallbackRule.forTemplates(template.templateName().orElseThrow())
                .onDeadLetter(ErrorCategory.UNDELIVERABLE).smsText(m -> "Rappel"));
        FailureDecider decider = new FailureDecider(RetryPolicy.defaults(), rules, Duration.ofMinutes(10));
        assertThat(decider.decide(template, paused, ErrorCatalogue.meta(), NOW).kind())
                .isEqualTo(FailureDecider.Kind.DEFER);
    }
}
