package io.whatsappoutbox.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel fallback rules of an outbox: the first rule that selects a message decides. A
 * fallback is a new SMS message linked to its parent ({@code fallback_of}) with a key derived from
 * the parent's, so it is created once however often its trigger fires; it needs SMS consent like
 * any SMS.
 */
public final class FallbackRules {
    private static final Logger log = LoggerFactory.getLogger(FallbackRules.class);
    static final String KEY_SUFFIX = ":fallback:sms";
    public static final String CREATED_BY = "whatsapp-outbox-fallback";
    private static final FallbackRules NONE = new FallbackRules(List.of());

    private final List<FallbackRule> rules;

    private FallbackRules(List<FallbackRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static FallbackRules none() {
        return NONE;
    }

    /** Rules in order; each must have a trigger and a renderer. */
    public static FallbackRules of(FallbackRule... rules) {
        for (FallbackRule r : rules) {
            Objects.requireNonNull(r, "rule").validate();
        }
        return new FallbackRules(List.of(rules));
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * When {@code message} stops being sendable: its {@code sendBy}, or earlier by the margin of a
     * rule's {@code orNotSentBefore} that selects it (its SMS then goes in the margin); null without
     * {@code sendBy}.
     */
    public Instant giveUpAt(OutboundMessage message) {
        if (message.sendBy() == null) {
            return null;
        }
        return rule(message).map(FallbackRule::notSentBefore).map(message.sendBy()::minus).orElse(message.sendBy());
    }

    /** The SMS to create when {@code message} is dead-lettered with {@code category}, if a rule says so. */
    public Optional<OutboundMessageRequest> onDeadLetter(OutboundMessage message, ErrorCategory category) {
        return rule(message).filter(r -> r.triggersOnDeadLetter(category)).flatMap(r -> request(r, message));
    }

    /** The SMS to create for an accepted message still without delivery receipt at {@code now}. */
    public Optional<OutboundMessageRequest> onNotDelivered(OutboundMessage message, Instant now) {
        return rule(message)
                .filter(r -> r.notDeliveredWithin() != null && message.sentAt() != null
                        && !now.isBefore(message.sentAt().plus(r.notDeliveredWithin())))
                .flatMap(r -> request(r, message));
    }

    /**
     * The SMS an operator asks for (the runbook's manual conversion): any rule that selects the
     * message decides its text, whatever the rule's triggers.
     */
    public Optional<OutboundMessageRequest> onOperatorRequest(OutboundMessage message) {
        return rule(message).flatMap(r -> request(r, message));
    }

    /** The shortest no-delivery delay of the rules, for the sweep: empty when no rule has one. */
    public Optional<Duration> shortestNotDeliveredDelay() {
        return rules.stream().map(FallbackRule::notDeliveredWithin).filter(Objects::nonNull).min(Duration::compareTo);
    }

    private Optional<FallbackRule> rule(OutboundMessage message) {
        return rules.stream().filter(r -> r.selects(message)).findFirst();
    }

    /** Builds the SMS; a renderer that fails or writes an invalid SMS costs the fallback, never the parent. */
    private static Optional<OutboundMessageRequest> request(FallbackRule rule, OutboundMessage parent) {
        try {
            return Optional.of(OutboundMessageRequest.sms(parent.orgId(), parent.to().value())
                    .text(rule.render(parent))
                    .dossierId(parent.dossierId())
                    .idempotencyKey(parent.idempotencyKey() + KEY_SUFFIX)
                    .fallbackOf(parent.id())
                    // the same content needs the same consent on SMS: a marketing message stays marketing
                    .purpose(parent.purpose())
                    .recipientTimeZone(parent.recipientTimeZone())
                    .sendBy(parent.sendBy())
                    .priority(parent.priority())
                    .createdBy(CREATED_BY)
                    .build());
        } catch (RuntimeException e) {
            log.error("No SMS fallback for message {} of org {}: {} ({})", parent.id(), parent.orgId(), rule,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
