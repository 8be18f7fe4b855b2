package io.whatsappoutbox.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerSettingsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(CircuitBreakerSettings.defaults())
                .isEqualTo(new CircuitBreakerSettings(50, 20, 10, Duration.ofSeconds(30), 3));
    }

    @Test
    void eachBadSettingIsNamedWithItsRule() {
        assertThatThrownBy(() -> new CircuitBreakerSettings(0, 5, 6, Duration.ZERO, 0))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns("failureRatePercent")).isTrue();
                    assertThat(e.concerns("minimumCalls")).isTrue();
                    assertThat(e.concerns("openFor")).isTrue();
                    assertThat(e.concerns("halfOpenProbes")).isTrue();
                    assertThat(e.concerns("slidingWindowCalls")).isFalse();
                })
                .hasMessageContaining("between 1 and slidingWindowCalls (5)");
    }

    @Test
    void withersChangeOneSettingAndKeepTheRest() {
        CircuitBreakerSettings s = CircuitBreakerSettings.defaults().withSlidingWindow(10, 5).withOpenFor(Duration.ofSeconds(2));
        assertThat(s).isEqualTo(new CircuitBreakerSettings(50, 10, 5, Duration.ofSeconds(2), 3));
        assertThat(s.withFailureRatePercent(80).withHalfOpenProbes(1))
                .isEqualTo(new CircuitBreakerSettings(80, 10, 5, Duration.ofSeconds(2), 1));
    }
}
