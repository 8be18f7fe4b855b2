package io.whatsappoutbox.core.store;


import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClaimShareTest {
    @Test
    void refusesAShareOutsideItsCountNamingTheField() {
        assertThatThrownBy(() -> new ClaimShare(2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index").hasMessageContaining("was 2");
        assertThatThrownBy(() -> new ClaimShare(-1, 2)).hasMessageContaining("index");
        assertThatThrownBy(() -> new ClaimShare(0, 0)).hasMessageContaining("count must be at least 1");
    }
}
