package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    final ErrorCatalogue meta = ErrorCatalogue.meta();

    RetryPolicy policy(double random) {
        return RetryPolicy.builder().baseDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofMinutes(30))
                .random(() -> random).build();
    }

    RetryDecision decide(RetryPolicy p, String code, int attempts, int deferrals) {
        ProviderError e = ProviderError.of(code, 400, "x");
        return p.decide(meta.classify(e), e, attempts, 5, deferrals, NOW);
    }

    @Test
    void retriesTemporaryErrorsWithBackoff() {
        RetryPolicy p = policy(0.999999);
        assertThat(decide(p, "131000", 1, 0)).isEqualTo(new RetryDecision.Retry(NOW.plusMillis(9999)));
        assertThat(decide(p, "131000", 3, 0)).isEqualTo(new RetryDecision.Retry(NOW.plusMillis(39999)));
    }

    @Test
    void aPausedTemplateWaitsMetasPauseWithoutSpendingAnAttemptOrThrottlingTheOrg() {
        RetryDecision d = decide(policy(0.5), "132015", 1, 0);
        assertThat(d).isEqualTo(new RetryDecision.Defer(NOW.plus(Duration.ofHours(3)), null));
        assertThat(decide(policy(0.5), "132015", 5, 3)).isEqualTo(new RetryDecision.Defer(NOW.plus(Duration.ofHours(3)), null));
        assertThat(decide(policy(0.5), "132016", 1, 0)).isInstanceOf(RetryDecision.DeadLetter.class);
    }

    @Test
    void aPausedTemplateStillHasADeferralBudget() {
        assertThat(decide(RetryPolicy.builder().maxDeferrals(2).build(), "132015", 1, 2))
                .isInstanceOf(RetryDecision.DeadLetter.class);
    }

    @Test
    void sendsExhaustedAttemptsToTheDeadLetter() {
        RetryDecision d = decide(policy(0.5), "131000", 5, 0);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.DeadLetter.class,
                dl -> assertThat(dl.reason()).contains("attempts exhausted (5 of 5)"));
    }

    @Test
    void sendsPermanentErrorsToTheDeadLetterAtOnce() {
        assertThat(decide(policy(0.5), "131047", 1, 0)).isInstanceOf(RetryDecision.DeadLetter.class);
        assertThat(decide(policy(0.5), "132001", 1, 0)).isInstanceOf(RetryDecision.DeadLetter.class);
        assertThat(decide(policy(0.5), "190", 1, 0)).isInstanceOf(RetryDecision.DeadLetter.class);
    }

    @Test
    void capsUnknownErrorsAtThreeAttempts() {
        ProviderError e = ProviderError.of("424242", 400, "?");
        RetryPolicy p = policy(0.5);
        assertThat(p.decide(meta.classify(e), e, 2, 5, 0, NOW)).isInstanceOf(RetryDecision.Retry.class);
        assertThat(p.decide(meta.classify(e), e, 3, 5, 0, NOW)).isInstanceOf(RetryDecision.DeadLetter.class);
    }

    @Test
    void reschedulesRateLimitsWithoutSpendingAnAttemptAndThrottlesTheOrg() {
        RetryDecision d = decide(policy(0.0), "130429", 5, 0);
        assertThat(d).isInstanceOfSatisfying(RetryDecision.Defer.class, defer -> {
            assertThat(defer.nextAttemptAt()).isEqualTo(NOW.plusSeconds(1));
            assertThat(defer.throttleOrgUntil()).isEqualTo(defer.nextAttemptAt());
        });
    }

    @Test
    void honoursRetryAfter() {
        ProviderError e = new ProviderError("130429", 429, "x", null, null, Duration.ofSeconds(90));
        RetryDecision d = policy(0.0).decide(meta.classify(e), e, 1, 5, 0, NOW);
        assertThat(d).isEqualTo(new RetryDecision.Defer(NOW.plusSeconds(90), NOW.plusSeconds(90)));
        ProviderError t = new ProviderError("131000", 503, "x", null, null, Duration.ofMinutes(5));
        assertThat(policy(0.0).decide(meta.classify(t), t, 1, 5, 0, NOW))
                .isEqualTo(new RetryDecision.Retry(NOW.plusSeconds(300)));
    }

    @Test
    void backsOffThePairRateFourToTheN() {
        RetryPolicy p = policy(0.5);
        assertThat(decide(p, "131056", 1, 0)).isEqualTo(new RetryDecision.Defer(NOW.plusSeconds(4), null));
        assertThat(decide(p, "131056", 1, 1)).isEqualTo(new RetryDecision.Defer(NOW.plusSeconds(16), null));
        assertThat(decide(p, "131056", 1, 2)).isEqualTo(new RetryDecision.Defer(NOW.plusSeconds(64), null));
        assertThat(p.pairRateDelay(40)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void honoursTheMinimumDelayOfACode() {
        assertThat(decide(policy(0.0), "131049", 1, 0)).isEqualTo(new RetryDecision.Retry(NOW.plus(Duration.ofHours(24))));
    }

    @Test
    void deadLettersAMessageDeferredTooOften() {
        RetryPolicy p = policy(0.5).toBuilder().maxDeferrals(3).build();
        assertThat(decide(p, "130429", 1, 3)).isInstanceOf(RetryDecision.DeadLetter.class);
        assertThat(p.deferUntil(NOW, 3)).isInstanceOf(RetryDecision.DeadLetter.class);
        assertThat(p.deferUntil(NOW.plusSeconds(60), 2)).isEqualTo(new RetryDecision.Defer(NOW.plusSeconds(60), null));
    }

    @Test
    void rejectsBadSettingsNamingTheField() {
        assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ZERO).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("baseDelay");
        assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofSeconds(1)).build())
                .hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(ErrorCategory.TEMPORARY, 0).build())
                .hasMessageContaining("maxAttempts[TEMPORARY]");
    }

    @Test
    void refusesARandomSourceOutOfRange() {
        assertThatThrownBy(() -> policy(1.0).jitteredBackoff(1)).isInstanceOf(IllegalStateException.class);
    }
}
