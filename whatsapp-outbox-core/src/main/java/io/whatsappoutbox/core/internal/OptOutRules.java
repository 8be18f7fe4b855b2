package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What in an inbound message revokes or grants consent: keywords the customer typed (per channel,
 * whole message, case and accents ignored), never the title of a button or list row they tapped
 * ("Cancel" on a reminder is not an opt-out), and the reply ids a host declares as opt-out. On SMS,
 * the carriers' opt-in words grant the consent back. Immutable. Internal.
 */
public final class OptOutRules {
    /** WhatsApp opt-out words: STOP and its French forms. No CANCEL, END, QUIT: those are everyday replies. */
    public static final List<String> WHATSAPP_OPT_OUT = List.of("STOP", "STOPALL", "UNSUBSCRIBE", "ARRET", "ARRETER",
            "DESABONNER", "DESINSCRIRE");
    /** Twilio's STOP words (the carriers' opt-out), and ARRET. */
    public static final List<String> SMS_OPT_OUT = List.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
            "ARRET");
    /** Twilio's START words. */
    public static final List<String> SMS_OPT_IN = List.of("START", "UNSTOP", "YES");

    private final Map<Channel, Set<String>> optOut;
    private final Set<String> payloads;
    private final Set<String> smsOptIn;

    private OptOutRules(Map<Channel, Set<String>> optOut, Set<String> payloads, Set<String> smsOptIn) {
        this.optOut = Map.copyOf(optOut);
        this.payloads = Set.copyOf(payloads);
        this.smsOptIn = Set.copyOf(smsOptIn);
    }

    public static OptOutRules defaults() {
        Map<Channel, Set<String>> m = new EnumMap<>(Channel.class);
        m.put(Channel.WHATSAPP, WebhookApplier.normalized(WHATSAPP_OPT_OUT));
        m.put(Channel.SMS, WebhookApplier.normalized(SMS_OPT_OUT));
        return new OptOutRules(m, Set.of(), WebhookApplier.normalized(SMS_OPT_IN));
    }

    /** No keyword, no payload: nothing revokes (stores' tests). */
    public static OptOutRules none() {
        return new OptOutRules(Map.of(), Set.of(), Set.of());
    }

    /** The same keywords on every channel (the single list of earlier versions). */
    public OptOutRules withOptOutKeywords(Collection<String> keywords) {
        Map<Channel, Set<String>> m = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            m.put(c, WebhookApplier.normalized(keywords));
        }
        return new OptOutRules(m, payloads, smsOptIn);
    }

    public OptOutRules withOptOutKeywords(Channel channel, Collection<String> keywords) {
        Map<Channel, Set<String>> m = new EnumMap<>(Channel.class);
        m.putAll(optOut);
        m.put(Objects.requireNonNull(channel, "channel"), WebhookApplier.normalized(keywords));
        return new OptOutRules(m, payloads, smsOptIn);
    }

    /** Reply ids (a quick-reply button's payload, a list row's id) that opt out, compared exactly. */
    public OptOutRules withOptOutPayloads(Collection<String> replyIds) {
        replyIds.forEach(p -> Objects.requireNonNull(p, "payload"));
        return new OptOutRules(optOut, Set.copyOf(replyIds), smsOptIn);
    }

    public OptOutRules withSmsOptInKeywords(Collection<String> keywords) {
        return new OptOutRules(optOut, payloads, WebhookApplier.normalized(keywords));
    }

    /** Adds the rules every keyword and payload follows to {@code v}. */
    public void check(Violations v) {
        optOut.forEach((channel, words) -> WebhookApplier.checkKeywords(v, words));
        if (smsOptIn.stream().anyMatch(String::isEmpty)) {
            v.add("smsOptInKeywords", "holds an empty keyword", "non-blank words");
        }
        if (payloads.stream().anyMatch(String::isBlank)) {
            v.add("optOutPayloads", "holds a blank payload", "non-blank reply ids");
        }
    }

    /** A typed keyword of the message's channel, or a declared reply id. */
    public boolean isOptOut(InboundMessage m) {
        if (m.payload() != null && payloads.contains(m.payload())) {
            return true;
        }
        return m.isTypedText() && optOut.getOrDefault(m.channel(), Set.of()).contains(DeliveryDecisions.normalize(m.text()));
    }

    /** An SMS opt-in word (START, UNSTOP, YES) the customer typed. */
    public boolean isOptIn(InboundMessage m) {
        return m.channel() == Channel.SMS && m.isTypedText() && smsOptIn.contains(DeliveryDecisions.normalize(m.text()));
    }
}
