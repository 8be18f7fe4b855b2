package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Meta's lifecycle webhooks (template status, category and quality, number quality, account,
 * customers' marketing preferences) read into {@link LifecycleEvent}s. Every enum stays open:
 * an unknown word is kept as sent or read as {@code UNKNOWN}, never refused. A malformed change
 * throws {@link WebhookPayloadException} with a message that names fields only, never values.
 * Internal.
 */
final class LifecycleChanges {
    static final String TEMPLATE_STATUS = "message_template_status_update";
    static final String TEMPLATE_CATEGORY = "template_category_update";
    static final String TEMPLATE_QUALITY = "message_template_quality_update";
    static final String NUMBER_QUALITY = "phone_number_quality_update";
    static final String ACCOUNT = "account_update";
    static final String USER_PREFERENCES = "user_preferences";
    /** The fields about a whole WhatsApp Business account (no phone number id to route by). */
    static final Set<String> ACCOUNT_FIELDS = Set.of(TEMPLATE_STATUS, TEMPLATE_CATEGORY, TEMPLATE_QUALITY,
            NUMBER_QUALITY, ACCOUNT);

    /** {@code +0000} offsets (Meta's Graph style) as well as ISO-8601 {@code Z} and {@code +00:00}. */
    private static final DateTimeFormatter GRAPH_TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private LifecycleChanges() {}

    /**
     * The event one account-level change announces, or empty when it announces nothing the outbox
     * acts on (an impending category change).
     *
     * @param occurredAt {@code entry.time}, or the receive time when the entry has none
     */
    static Optional<LifecycleEvent> accountChange(String field, JsonNode value, String businessAccountId,
            Instant occurredAt) throws WebhookPayloadException {
        switch (field) {
            case TEMPLATE_STATUS:
                return Optional.of(templateStatus(value, businessAccountId, occurredAt));
            case TEMPLATE_CATEGORY:
                return templateCategory(value, businessAccountId, occurredAt);
            case TEMPLATE_QUALITY:
                return Optional.of(new LifecycleEvent.TemplateQualityChanged(businessAccountId, templateId(value),
                        required(value, "message_template_name"), MetaJson.text(value, "message_template_language"),
                        MetaJson.text(value, "previous_quality_score"), required(value, "new_quality_score"),
                        occurredAt));
            case NUMBER_QUALITY:
                return Optional.of(numberQuality(value, businessAccountId, occurredAt));
            case ACCOUNT:
                return Optional.of(account(value, businessAccountId, occurredAt));
            default:
                return Optional.empty();
        }
    }

    private static LifecycleEvent templateStatus(JsonNode v, String waba, Instant at) throws WebhookPayloadException {
        String event = required(v, "event");
        String pauseTitle = MetaJson.text(v.path("other_info"), "title");
        TemplateDefinition.Status status;
        String word = event.strip().toUpperCase(Locale.ROOT);
        if ("REINSTATED".equals(word) || "UNPAUSE".equals(pauseTitle == null ? null : pauseTitle.toUpperCase(Locale.ROOT))) {
            // sendable again: no longer flagged or disabled, or the pause ended
            status = TemplateDefinition.Status.APPROVED;
        } else if ("UNARCHIVED".equals(word)) {
            // back from the archive, in the status it had: the next sync says which
            status = TemplateDefinition.Status.UNKNOWN;
        } else {
            status = TemplateDefinition.Status.of(word);
        }
        return new LifecycleEvent.TemplateStatusChanged(waba, templateId(v), required(v, "message_template_name"),
                MetaJson.text(v, "message_template_language"), event, status, MetaJson.text(v, "reason"), pauseTitle,
                at);
    }

    private static Optional<LifecycleEvent> templateCategory(JsonNode v, String waba, Instant at)
            throws WebhookPayloadException {
        if (v.hasNonNull("correct_category")) {
            // announced a day ahead: new_category is still the current one, nothing changes yet
            return Optional.empty();
        }
        String previous = MetaJson.text(v, "previous_category");
        return Optional.of(new LifecycleEvent.TemplateCategoryChanged(waba, templateId(v),
                required(v, "message_template_name"), MetaJson.text(v, "message_template_language"),
                previous == null ? null : TemplateDefinition.Category.of(previous),
                TemplateDefinition.Category.of(required(v, "new_category")), at));
    }

    private static LifecycleEvent numberQuality(JsonNode v, String waba, Instant at) throws WebhookPayloadException {
        String display = MetaJson.scalar(v, "display_phone_number");
        if (display == null || display.isBlank()) {
            throw new WebhookPayloadException("display_phone_number is missing");
        }
        // the portfolio's limit; current_limit is the older, per-number spelling
        String limit = MetaJson.text(v, "max_daily_conversations_per_business");
        if (limit == null) {
            limit = MetaJson.text(v, "current_limit");
        }
        String quality = MetaJson.text(v, "quality_rating");
        if (quality == null) {
            quality = MetaJson.text(v, "qualityRating");
        }
        return new LifecycleEvent.NumberQualityChanged(waba, digits(display), MetaJson.text(v, "event"), limit,
                quality, at);
    }

    private static LifecycleEvent account(JsonNode v, String waba, Instant at) throws WebhookPayloadException {
        String event = required(v, "event");
        List<String> restrictions = new ArrayList<>();
        Instant until = null;
        JsonNode info = v.path("restriction_info");
        if (info.isArray()) {
            for (JsonNode r : info) {
                String type = MetaJson.text(r, "restriction_type");
                if (type != null && !type.isBlank()) {
                    restrictions.add(type.strip());
                }
                Instant expiration = instant(r.get("expiration"));
                if (expiration != null && (until == null || expiration.isAfter(until))) {
                    until = expiration;
                }
            }
        }
        return new LifecycleEvent.AccountUpdated(waba, event, restrictions, until,
                MetaJson.text(v.path("ban_info"), "waba_ban_state"), at);
    }

    /**
     * One {@code user_preferences[]} item as a marketing stop or resume, or empty for another value
     * (a sign-up) or category.
     */
    static Optional<LifecycleEvent> preference(JsonNode item, String businessAccountId, String orgId,
            Instant fallbackAt) throws WebhookPayloadException {
        if (!item.isObject()) {
            throw new WebhookPayloadException("user_preferences item is not an object");
        }
        String category = MetaJson.text(item, "category");
        if (category != null && !"marketing_messages".equals(category)) {
            return Optional.empty();
        }
        String value = MetaJson.text(item, "value");
        boolean stopped;
        if ("stop".equals(value)) {
            stopped = true;
        } else if ("resume".equals(value)) {
            stopped = false;
        } else {
            return Optional.empty();
        }
        String waId = MetaJson.scalar(item, "wa_id");
        if (waId == null || waId.isBlank()) {
            throw new WebhookPayloadException("user_preferences wa_id is missing");
        }
        PhoneNumber customer;
        try {
            customer = PhoneNumber.fromProvider(waId.strip());
        } catch (InvalidInputException e) {
            throw new WebhookPayloadException("user_preferences wa_id is not a valid phone number");
        }
        Instant at = instant(item.get("timestamp"));
        return Optional.of(new LifecycleEvent.MarketingPreferenceChanged(businessAccountId, orgId, customer, stopped,
                at == null ? fallbackAt : at));
    }

    /** Ids are JSON numbers in webhooks (beyond 2^31) and strings in the template list. */
    private static String templateId(JsonNode v) {
        JsonNode id = v.get("message_template_id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        String s = id.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static String required(JsonNode v, String field) throws WebhookPayloadException {
        String s = MetaJson.text(v, field);
        if (s == null || s.isBlank()) {
            throw new WebhookPayloadException(field + " is missing");
        }
        return s;
    }

    private static String digits(String display) {
        StringBuilder b = new StringBuilder(display.length());
        display.chars().filter(c -> c >= '0' && c <= '9').forEach(c -> b.append((char) c));
        return b.toString();
    }

    /**
     * Epoch seconds as a number or numeric string, or an ISO-8601 time; null when absent or not a
     * time (Meta's expiration types differ between payloads).
     */
    static Instant instant(JsonNode t) {
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isTextual() && !t.isIntegralNumber()) {
            return null;
        }
        String s = t.asText().strip();
        if (!s.isEmpty() && s.length() <= 12 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Instant.ofEpochSecond(Long.parseLong(s));
        }
        if (t.isTextual() && s.length() <= 40) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeException e) {
                try {
                    return OffsetDateTime.parse(s, GRAPH_TIME).toInstant();
                } catch (DateTimeException e2) {
                    return null;
                }
            }
        }
        return null;
    }
}
