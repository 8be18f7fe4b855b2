package io.whatsappoutbox.core.store;

import io.whatsappoutbox.core.SendingHours;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is held back for now: templates Meta paused or disabled, orgs whose marketing must stop
 * (the account is restricted, a number is flagged or of low quality), and orgs' sending hours. The
 * dispatcher reads it once per maintenance run and checks each claimed message against it in memory.
 *
 * @param templates the templates held, per org, name and language
 * @param marketing the orgs whose marketing messages are held
 * @param hours the orgs that send only within their sending hours
 */
public record SendingHolds(List<TemplateHold> templates, List<MarketingHold> marketing, List<OrgSendingHours> hours) {
    public static final SendingHolds NONE = new SendingHolds(List.of(), List.of(), List.of());

    /** Meta's holds, without sending hours. */
    public SendingHolds(List<TemplateHold> templates, List<MarketingHold> marketing) {
        this(templates, marketing, List.of());
    }

    /** An org's sending hours. */
    public record OrgSendingHours(String orgId, SendingHours hours) {
        public OrgSendingHours {
            Objects.requireNonNull(orgId, "orgId");
            Objects.requireNonNull(hours, "hours");
        }
    }

    /**
     * A template Meta paused or disabled for an org.
     *
     * @param until when a pause ends (its messages are sent then, or when Meta approves the
     *     template again, whichever comes first); null for a disabled, rejected or deleted template,
     *     which is never sent again
     * @param reason what Meta said, for the messages' last error
     */
    public record TemplateHold(String orgId, String name, String language, Instant until, String reason) {
        public TemplateHold {
            Objects.requireNonNull(orgId, "orgId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(language, "language");
            Objects.requireNonNull(reason, "reason");
        }

        /** Whether the template will never be sendable again (disabled, rejected, deleted). */
        public boolean isFinal() {
            return until == null;
        }
    }

    /**
     * An org whose marketing messages wait: utility, authentication and session messages go on.
     *
     * @param until when the reason ends (a restriction's expiration), or when to look again
     */
    public record MarketingHold(String orgId, Instant until, String reason) {
        public MarketingHold {
            Objects.requireNonNull(orgId, "orgId");
            Objects.requireNonNull(until, "until");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public SendingHolds {
        templates = templates == null ? List.of() : List.copyOf(templates);
        marketing = marketing == null ? List.of() : List.copyOf(marketing);
        hours = hours == null ? List.of() : List.copyOf(hours);
    }

    public boolean isEmpty() {
        return templates.isEmpty() && marketing.isEmpty() && hours.isEmpty();
    }

    /** The holds by key, for a look-up per claimed message. */
    public Index index() {
        return new Index(this);
    }

    /** The holds by key. */
    public static final class Index {
        private final Map<String, TemplateHold> templates = new HashMap<>();
        private final Map<String, MarketingHold> marketing = new HashMap<>();
        private final Map<String, SendingHours> hours = new HashMap<>();
        private final boolean empty;

        private Index(SendingHolds holds) {
            holds.templates.forEach(t -> templates.put(key(t.orgId(), t.name(), t.language()), t));
            // the longest hold of an org wins: a restriction for days over an hourly look at a flag
            holds.marketing.forEach(m -> marketing.merge(m.orgId(), m, (a, b) -> a.until().isAfter(b.until()) ? a : b));
            holds.hours.forEach(h -> hours.put(h.orgId(), h.hours()));
            empty = holds.isEmpty();
        }

        public boolean isEmpty() {
            return empty;
        }

        public TemplateHold template(String orgId, String name, String language) {
            return templates.isEmpty() ? null : templates.get(key(orgId, name, language));
        }

        public MarketingHold marketing(String orgId) {
            return marketing.isEmpty() ? null : marketing.get(orgId);
        }

        /** The org's sending hours, or null when it sends at any hour. */
        public SendingHours hours(String orgId) {
            return hours.isEmpty() ? null : hours.get(orgId);
        }

        private static String key(String orgId, String name, String language) {
            return orgId + '\u0000' + name + '\u0000' + language;
        }
    }
}
