package io.whatsappoutbox.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendingHoldsTest {
    static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void theLongestHoldOfAnOrgWins() {
        SendingHolds holds = new SendingHolds(List.of(), List.of(
                new SendingHolds.MarketingHold("org-1", T.plusSeconds(3600), "flagged"),
                new SendingHolds.MarketingHold("org-1", T.plusSeconds(172_800), "restricted"),
                new SendingHolds.MarketingHold("org-1", T.plusSeconds(60), "low quality")));
        assertThat(holds.index().marketing("org-1").reason()).isEqualTo("restricted");
        assertThat(holds.index().marketing("org-2")).isNull();
    }

    @Test
    void aTemplateIsHeldOnlyInItsOrgAndLanguage() {
        SendingHolds.Index index = new SendingHolds(List.of(
                new SendingHolds.TemplateHold("org-1", "appointment_reminder", "fr", T, "paused by Meta")), List.of())
                .index();
        assertThat(index.template("org-1", "appointment_reminder", "fr")).isNotNull();
        assertThat(index.template("org-1", "appointment_reminder", "en_US")).isNull();
        assertThat(index.template("org-2", "appointment_reminder", "fr")).isNull();
        assertThat(index.isEmpty()).isFalse();
        assertThat(SendingHolds.NONE.index().isEmpty()).isTrue();
    }

    @Test
    void aHoldWithoutAnEndIsFinal() {
        assertThat(new SendingHolds.TemplateHold("org-1", "x", "fr", null, "disabled by Meta").isFinal()).isTrue();
        assertThat(new SendingHolds.TemplateHold("org-1", "x", "fr", T, "paused by Meta").isFinal()).isFalse();
    }
}
