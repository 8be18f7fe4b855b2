package io.whatsappoutbox.core;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A template as Meta approved it for one org (its WhatsApp Business account): what a send of it
 * must supply. Read from Meta's template list ({@code GET /{waba-id}/message_templates}) and kept
 * up to date by the lifecycle webhooks; the enqueue checks a {@link Template} against it.
 *
 * @param id Meta's template id (a string: ids exceed 2^31)
 * @param language the locale as Meta writes it in the template list ({@code fr}, {@code en_US})
 * @param header the header's variable, or null when the template has no header or a fixed one
 * @param bodyParameters the body's variables in order: {@code "1"}, {@code "2"} ... when positional,
 *     their names when named
 * @param buttons the template's buttons in order, with the ones that take a parameter marked
 * @param quality Meta's quality score ({@code GREEN}, {@code YELLOW}, {@code RED}, {@code UNKNOWN}), or null
 * @param reason why it was rejected, paused or disabled, as Meta says it, or null
 * @param updatedAt when the outbox last learned something about it (sync or webhook)
 */
public record TemplateDefinition(String id, String name, String language, Status status, Category category,
        ParameterFormat parameterFormat, Header header, List<String> bodyParameters, List<Button> buttons,
        String quality, String reason, Instant updatedAt) {

    /** Meta's template statuses; only {@link #APPROVED} can be sent. */
    public enum Status {
        APPROVED,
        PENDING,
        REJECTED,
        PAUSED,
        DISABLED,
        IN_APPEAL,
        FLAGGED,
        PENDING_DELETION,
        DELETED,
        LIMIT_EXCEEDED,
        ARCHIVED,
        LOCKED,
        /** A status this version does not know: kept, never sent to. */
        UNKNOWN;

        /** Meta's word for it, {@link #UNKNOWN} for one this version does not know. */
        public static Status of(String meta) {
            if (meta == null) {
                return UNKNOWN;
            }
            try {
                return valueOf(meta.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return UNKNOWN;
            }
        }

        /** Whether Meta delivers a send of a template in this status (a flagged one still goes). */
        public boolean sendable() {
            return this == APPROVED || this == FLAGGED;
        }
    }

    /** Meta's template categories. */
    public enum Category {
        MARKETING,
        UTILITY,
        AUTHENTICATION,
        UNKNOWN;

        public static Category of(String meta) {
            if (meta == null) {
                return UNKNOWN;
            }
            try {
                return valueOf(meta.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return UNKNOWN;
            }
        }

        /** The consent a send of a template of this category needs. */
        public ConsentPurpose purpose() {
            return this == MARKETING ? ConsentPurpose.MARKETING : ConsentPurpose.TRANSACTIONAL;
        }
    }

    /** How the template's variables are written: {@code {{1}}} or {@code {{first_name}}}. */
    public enum ParameterFormat {
        POSITIONAL,
        NAMED
    }

    /**
     * The header's variable.
     *
     * @param format {@code TEXT}, {@code IMAGE}, {@code VIDEO}, {@code DOCUMENT} or {@code LOCATION}
     * @param parameterName the text variable's name ({@code "1"} when positional), or null for media and location
     */
    public record Header(Template.Header.Type format, String parameterName) {
        public Header {
            Objects.requireNonNull(format, "format");
        }
    }

    /**
     * One button of the template.
     *
     * @param type Meta's button type ({@code QUICK_REPLY}, {@code URL}, {@code PHONE_NUMBER},
     *     {@code COPY_CODE}, {@code OTP}, {@code FLOW} ...)
     * @param takesParameter whether a send supplies its parameter (a URL ending in a variable, a
     *     coupon code, a one-time password; a quick reply's payload is optional)
     */
    public record Button(int index, String type, boolean takesParameter) {
        public Button {
            Objects.requireNonNull(type, "type");
        }
    }

    public TemplateDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(language, "language");
        language = normalizeLanguage(language);
        status = status == null ? Status.UNKNOWN : status;
        category = category == null ? Category.UNKNOWN : category;
        parameterFormat = parameterFormat == null ? ParameterFormat.POSITIONAL : parameterFormat;
        bodyParameters = bodyParameters == null ? List.of() : List.copyOf(bodyParameters);
        buttons = buttons == null ? List.of() : List.copyOf(buttons);
    }

    /** Meta writes {@code en-US} in some webhooks and {@code en_US} in the template list. */
    public static String normalizeLanguage(String language) {
        return language == null ? null : language.strip().replace('-', '_');
    }

    public TemplateDefinition withStatus(Status newStatus, String newReason, Instant at) {
        return new TemplateDefinition(id, name, language, newStatus, category, parameterFormat, header,
                bodyParameters, buttons, quality, newReason, at);
    }

    public TemplateDefinition withCategory(Category newCategory, Instant at) {
        return new TemplateDefinition(id, name, language, status, newCategory, parameterFormat, header,
                bodyParameters, buttons, quality, reason, at);
    }

    public TemplateDefinition withQuality(String newQuality, Instant at) {
        return new TemplateDefinition(id, name, language, status, category, parameterFormat, header,
                bodyParameters, buttons, newQuality, reason, at);
    }
}
