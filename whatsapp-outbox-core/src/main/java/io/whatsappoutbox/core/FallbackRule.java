package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * When a WhatsApp message may be sent again as an SMS, and what the SMS says. A rule selects
 * messages (by template, the runbook's "critical templates", or by any predicate), names the
 * outcomes that trigger it (a dead letter of listed categories, or no delivery receipt within a
 * delay) and renders the SMS text with a host-supplied function.
 *
 * <pre>{@code
 * FallbackRule.forTemplates("appointment_reminder", "urgent_notification")
 *         .onDeadLetter(ErrorCategory.SESSION_EXPIRED, ErrorCategory.UNDELIVERABLE)
 *         .orNotDeliveredWithin(Duration.ofMinutes(30))
 *         .smsText(m -> "Rappel : votre rendez-vous " + m.dossierId());
 * }</pre>
 */
public final class FallbackRule {
    private final String description;
    private final Predicate<OutboundMessage> selects;
    private final Set<ErrorCategory> deadLetterCategories;
    private final Duration notDeliveredWithin;
    private final Duration notSentBefore;
    private final Function<OutboundMessage, String> smsText;

    private FallbackRule(String description, Predicate<OutboundMessage> selects, Set<ErrorCategory> categories,
            Duration notDeliveredWithin, Function<OutboundMessage, String> smsText) {
        this(description, selects, categories, notDeliveredWithin, null, smsText);
    }

    private FallbackRule(String description, Predicate<OutboundMessage> selects, Set<ErrorCategory> categories,
            Duration notDeliveredWithin, Duration notSentBefore, Function<OutboundMessage, String> smsText) {
        this.description = description;
        this.selects = selects;
        this.deadLetterCategories = categories.isEmpty() ? Set.of() : Set.copyOf(categories);
        this.notDeliveredWithin = notDeliveredWithin;
        this.notSentBefore = notSentBefore;
        this.smsText = smsText;
    }

    /** Messages of these templates (the runbook's critical templates). */
    public static FallbackRule forTemplates(String... templateNames) {
        Violations v = new Violations();
        if (templateNames.length == 0) {
            v.add("templateNames", "is empty", "at least one template name");
        }
        for (String name : templateNames) {
            v.text("templateNames", name, MessageContent.TEMPLATE_NAME_MAX, Template.NAME,
                    "lowercase letters, digits and '_'");
        }
        v.throwIfAny("fallback rule");
        Set<String> names = Set.of(templateNames);
        return new FallbackRule("templates " + List.of(templateNames),
                m -> m.templateName().map(names::contains).orElse(false), EnumSet.noneOf(ErrorCategory.class), null,
                null);
    }

    /**
     * Messages of these content types (a location, a list, ...): the renderer reads the content to
     * write its SMS, such as {@code ((Location) m.content()).address()} for a location.
     */
    public static FallbackRule forContentTypes(ContentType first, ContentType... more) {
        Set<ContentType> types = EnumSet.of(Objects.requireNonNull(first, "first"), more);
        return new FallbackRule("content types " + types, m -> types.contains(m.content().type()),
                EnumSet.noneOf(ErrorCategory.class), null, null);
    }

    /** Messages a predicate of the host selects. */
    public static FallbackRule forMessages(String description, Predicate<OutboundMessage> selects) {
        return new FallbackRule(Objects.requireNonNull(description, "description"),
                Objects.requireNonNull(selects, "selects"), EnumSet.noneOf(ErrorCategory.class), null, null);
    }

    /** Falls back when the message ends in the dead letter with one of these categories. */
    public FallbackRule onDeadLetter(ErrorCategory first, ErrorCategory... more) {
        EnumSet<ErrorCategory> set = EnumSet.of(first, more);
        set.addAll(deadLetterCategories);
        return new FallbackRule(description, selects, set, notDeliveredWithin, notSentBefore, smsText);
    }

    /** Falls back, too, when the provider accepted the message but no delivery came within {@code delay}. */
    public FallbackRule orNotDeliveredWithin(Duration delay) {
        Violations v = new Violations();
        if (v.requireNonNull("notDeliveredWithin", delay)
                && (delay.compareTo(Duration.ofMinutes(1)) < 0 || delay.compareTo(Duration.ofDays(7)) > 0)) {
            v.add("notDeliveredWithin", "is " + delay, "between 1 minute and 7 days");
        }
        v.throwIfAny("fallback rule");
        return new FallbackRule(description, selects, deadLetterCategories, delay, notSentBefore, smsText);
    }

    /**
     * "SMS if WhatsApp is late": a message with a {@code sendBy} that is still unsent {@code margin}
     * before it gives WhatsApp up then (dead letter {@code EXPIRED}) and its SMS goes, with the same
     * deadline, in the margin left. A message without {@code sendBy} is not affected.
     */
    public FallbackRule orNotSentBefore(Duration margin) {
        Violations v = new Violations();
        if (v.requireNonNull("notSentBefore", margin)
                && (margin.compareTo(Duration.ofMinutes(1)) < 0 || margin.compareTo(Duration.ofDays(7)) > 0)) {
            v.add("notSentBefore", "is " + margin, "between 1 minute and 7 days before sendBy");
        }
        v.throwIfAny("fallback rule");
        return new FallbackRule(description, selects, deadLetterCategories, notDeliveredWithin, margin, smsText);
    }

    /** The SMS text for a message; it must fit one SMS request (1600 characters). */
    public FallbackRule smsText(Function<OutboundMessage, String> renderer) {
        return new FallbackRule(description, selects, deadLetterCategories, notDeliveredWithin, notSentBefore,
                Objects.requireNonNull(renderer, "renderer"));
    }

    boolean selects(OutboundMessage m) {
        return m.channel() == Channel.WHATSAPP && m.fallbackOf() == null && selects.test(m);
    }

    boolean triggersOnDeadLetter(ErrorCategory category) {
        return deadLetterCategories.contains(category) || category == ErrorCategory.EXPIRED && notSentBefore != null;
    }

    Duration notSentBefore() {
        return notSentBefore;
    }

    Duration notDeliveredWithin() {
        return notDeliveredWithin;
    }

    String render(OutboundMessage m) {
        return smsText.apply(m);
    }

    void validate() {
        Violations v = new Violations();
        if (smsText == null) {
            v.add("smsText", "is missing for " + description, "a renderer of the SMS text");
        }
        if (deadLetterCategories.isEmpty() && notDeliveredWithin == null && notSentBefore == null) {
            v.add("trigger", "is missing for " + description,
                    "onDeadLetter(...), orNotDeliveredWithin(...) or orNotSentBefore(...)");
        }
        v.throwIfAny("fallback rule");
    }

    @Override
    public String toString() {
        return "FallbackRule[" + description + ", deadLetter=" + deadLetterCategories + ", notDeliveredWithin="
                + notDeliveredWithin + (notSentBefore == null ? "" : ", notSentBefore=" + notSentBefore) + "]";
    }
}
