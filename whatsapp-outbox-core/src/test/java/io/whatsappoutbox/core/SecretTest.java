package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void neverShowsItsValue() {
        Secret s = Secret.of("EAAG-very-secret-token");
        assertThat(s.toString()).doesNotContain("EAAG").isEqualTo("Secret[****]");
        assertThat(String.valueOf(s)).doesNotContain("secret-token");
        assertThat(s.reveal()).isEqualTo("EAAG-very-secret-token");
    }

    @Test
    void comparesInConstantTime() {
        Secret s = Secret.of("abc");
        assertThat(s.matches("abc")).isTrue();
        assertThat(s.matches("abd")).isFalse();
        assertThat(s.matches(null)).isFalse();
        assertThat(s).isEqualTo(Secret.of("abc"));
    }

    @Test
    void refusesBlankSecrets() {
        assertThatThrownBy(() -> Secret.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
