package io.whatsappoutbox.core.webhook;

import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.TemplateDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What Meta says about an account's templates, numbers and customers, outside any one message:
 * the lifecycle webhooks. Each is about a WhatsApp Business account ({@code businessAccountId},
 * Meta's {@code entry.id}) and applies to every org that sends through it, except a customer's
 * preference, which is about one sending number.
 */
public sealed interface LifecycleEvent {

    String businessAccountId();

    Instant occurredAt();

    /** The key that makes a second delivery of the same event a duplicate. */
    String dedupeKey();

    /**
     * {@code message_template_status_update}: approved, paused, disabled, rejected, reinstated ...
     *
     * @param event Meta's event word ({@code PAUSED}, {@code REINSTATED} ...), as sent
     * @param status what the template's status is now ({@link TemplateDefinition.Status#APPROVED}
     *     for {@code REINSTATED} and for an {@code UNPAUSE})
     * @param reason Meta's reason ({@code NONE} for a pause, {@code INCORRECT_CATEGORY} ...), or null
     * @param pauseTitle {@code other_info.title} ({@code FIRST_PAUSE}, {@code SECOND_PAUSE},
     *     {@code RATE_LIMITING_PAUSE}, {@code UNPAUSE}), or null
     */
    record TemplateStatusChanged(String businessAccountId, String templateId, String name, String language,
            String event, TemplateDefinition.Status status, String reason, String pauseTitle, Instant occurredAt)
            implements LifecycleEvent {
        public TemplateStatusChanged {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(name, "name");
            language = TemplateDefinition.normalizeLanguage(language);
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        @Override
        public String dedupeKey() {
            return "template-status:" + businessAccountId + ":" + name + ":" + language + ":" + event + ":"
                    + pauseTitle + ":" + occurredAt.getEpochSecond();
        }
    }

    /**
     * {@code template_category_update}, once the change is made (an impending change, announced a
     * day before, is not an event: it changes nothing yet).
     */
    record TemplateCategoryChanged(String businessAccountId, String templateId, String name, String language,
            TemplateDefinition.Category previous, TemplateDefinition.Category current, Instant occurredAt)
            implements LifecycleEvent {
        public TemplateCategoryChanged {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(name, "name");
            language = TemplateDefinition.normalizeLanguage(language);
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        @Override
        public String dedupeKey() {
            return "template-category:" + businessAccountId + ":" + name + ":" + language + ":" + current + ":"
                    + occurredAt.getEpochSecond();
        }
    }

    /** {@code message_template_quality_update}: {@code GREEN}, {@code YELLOW}, {@code RED}, {@code UNKNOWN}. */
    record TemplateQualityChanged(String businessAccountId, String templateId, String name, String language,
            String previous, String current, Instant occurredAt) implements LifecycleEvent {
        public TemplateQualityChanged {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(name, "name");
            language = TemplateDefinition.normalizeLanguage(language);
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        @Override
        public String dedupeKey() {
            return "template-quality:" + businessAccountId + ":" + name + ":" + language + ":" + current + ":"
                    + occurredAt.getEpochSecond();
        }
    }

    /**
     * {@code phone_number_quality_update}: a sending number's messaging limit tier (and, in older
     * payloads, its flag). Meta names the number by its display number, digits only.
     *
     * @param event {@code THROUGHPUT_UPGRADE}, {@code ONBOARDING}; older payloads {@code FLAGGED},
     *     {@code UNFLAGGED}, {@code UPGRADE}, {@code DOWNGRADE}
     * @param messagingLimit the business portfolio's tier ({@code TIER_250}, {@code TIER_2K},
     *     {@code TIER_10K}, {@code TIER_100K}, {@code TIER_UNLIMITED}), or null
     * @param qualityRating {@code GREEN}, {@code YELLOW}, {@code RED}, or null when the payload has none
     */
    record NumberQualityChanged(String businessAccountId, String displayPhoneNumber, String event,
            String messagingLimit, String qualityRating, Instant occurredAt) implements LifecycleEvent {
        public NumberQualityChanged {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(displayPhoneNumber, "displayPhoneNumber");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        @Override
        public String dedupeKey() {
            return "number-quality:" + businessAccountId + ":" + displayPhoneNumber + ":" + event + ":"
                    + messagingLimit + ":" + qualityRating + ":" + occurredAt.getEpochSecond();
        }
    }

    /**
     * {@code account_update}: a restriction of the account (business-initiated messaging stopped
     * until {@code restrictedUntil}), a ban or its lifting, or another account event.
     *
     * @param event Meta's event word ({@code ACCOUNT_RESTRICTION}, {@code DISABLED_UPDATE} ...)
     * @param restrictions the {@code restriction_info[].restriction_type}s, empty when none
     * @param restrictedUntil the restrictions' expiration, or null
     * @param banState {@code ban_info.waba_ban_state} ({@code DISABLE}, {@code REINSTATE},
     *     {@code SCHEDULE_FOR_DISABLE}), or null
     */
    record AccountUpdated(String businessAccountId, String event, List<String> restrictions, Instant restrictedUntil,
            String banState, Instant occurredAt) implements LifecycleEvent {
        public AccountUpdated {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(event, "event");
            restrictions = restrictions == null ? List.of() : List.copyOf(restrictions);
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        /** Whether the account may not start conversations (templates) for now. */
        public boolean restrictsBusinessInitiated() {
            return restrictions.contains("RESTRICTED_BIZ_INITIATED_MESSAGING") || "DISABLE".equals(banState);
        }

        @Override
        public String dedupeKey() {
            return "account:" + businessAccountId + ":" + event + ":" + restrictions + ":" + banState + ":"
                    + occurredAt.getEpochSecond();
        }
    }

    /**
     * {@code user_preferences}: the customer stopped (or resumed) marketing messages from one
     * sending number, in WhatsApp itself. It changes marketing consent only.
     *
     * @param orgId the org whose number it is (Meta's {@code metadata.phone_number_id})
     */
    record MarketingPreferenceChanged(String businessAccountId, String orgId, PhoneNumber customer, boolean stopped,
            Instant occurredAt) implements LifecycleEvent {
        public MarketingPreferenceChanged {
            Objects.requireNonNull(businessAccountId, "businessAccountId");
            Objects.requireNonNull(orgId, "orgId");
            Objects.requireNonNull(customer, "customer");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }

        @Override
        public String toString() {
            return "MarketingPreferenceChanged[businessAccountId=" + businessAccountId + ", orgId=" + orgId
                    + ", customer=" + customer + ", stopped=" + stopped + ", occurredAt=" + occurredAt + "]";
        }

        @Override
        public String dedupeKey() {
            return "preference:" + orgId + ":" + customer.value() + ":" + stopped + ":" + occurredAt.getEpochSecond();
        }
    }
}
