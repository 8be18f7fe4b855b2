package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptOutRulesTest {
    static InboundMessage in(Channel channel, String type, String text, String payload) {
        return new InboundMessage("org-1", channel, PhoneNumber.of("+33612345678"), "id", type, text, payload, null,
                Instant.parse("2026-12-01T10:00:00Z"));
    }

    final OptOutRules rules = OptOutRules.defaults();

    @Test
    void cancelIsAnSmsStopWordButAnEverydayWordOnWhatsApp() {
        assertThat(rules.isOptOut(in(Channel.SMS, "text", "Cancel", null))).isTrue();
        assertThat(rules.isOptOut(in(Channel.WHATSAPP, "text", "Cancel", null))).isFalse();
        assertThat(rules.isOptOut(in(Channel.WHATSAPP, "text", "Arrêter.", null))).isTrue();
    }

    @Test
    void aTitleTappedIsNeverAKeywordButADeclaredPayloadIs() {
        assertThat(rules.isOptOut(in(Channel.WHATSAPP, "button", "STOP", "stop-reminders"))).isFalse();
        assertThat(rules.isOptOut(in(Channel.WHATSAPP, "interactive", "STOP", "row-1"))).isFalse();
        OptOutRules withPayload = rules.withOptOutPayloads(Set.of("optout"));
        assertThat(withPayload.isOptOut(in(Channel.WHATSAPP, "button", "Plus de messages", "optout"))).isTrue();
        assertThat(withPayload.isOptOut(in(Channel.WHATSAPP, "button", "Plus de messages", "OPTOUT"))).isFalse();
    }

    @Test
    void startGrantsBackOnSmsOnly() {
        assertThat(rules.isOptIn(in(Channel.SMS, "text", "start", null))).isTrue();
        assertThat(rules.isOptIn(in(Channel.SMS, "text", "HELP", null))).isFalse();
        assertThat(rules.isOptIn(in(Channel.WHATSAPP, "text", "START", null))).isFalse();
    }

    @Test
    void theOldSingleListStillMeansBothChannels() {
        OptOutRules one = rules.withOptOutKeywords(List.of("basta"));
        assertThat(one.isOptOut(in(Channel.SMS, "text", "BASTA", null))).isTrue();
        assertThat(one.isOptOut(in(Channel.WHATSAPP, "text", "basta", null))).isTrue();
        assertThat(one.isOptOut(in(Channel.WHATSAPP, "text", "STOP", null))).isFalse();
    }

    @Test
    void aBlankKeywordOrPayloadIsRefusedByName() {
        Violations v = new Violations();
        rules.withOptOutKeywords(Channel.SMS, List.of(" ")).withOptOutPayloads(Set.of(" ")).check(v);
        assertThatThrownBy(() -> v.throwIfAny("settings")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("optOutKeywords").hasMessageContaining("optOutPayloads");
    }
}
