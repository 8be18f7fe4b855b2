package io.whatsappoutbox.core.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Meta's lifecycle webhooks hold back for now: paused or disabled templates, and orgs whose
 * marketing must stop (the account is restricted, a number is flagged or of low quality). The
 * dispatcher reads it once per maintenance run and checks each claimed message against it in memory.
 *
 * @param templates the templates held, per org, name and language
 * @param marketing the orgs whose marketing messages are held
 */
public record SendingHolds(List<TemplateHold> templates, List<MarketingHold> marketing) {
    public static final SendingHolds NONE = new SendingHolds(List.of(), List.of());

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
    }

    public boolean isEmpty() {
        return templates.isEmpty() && marketing.isEmpty();
    }

    /** The holds by key, for a look-up per claimed message. */
    public Index index() {
        return new Index(this);
    }

    /** The holds by key. */
    public static final class Index {
        private final Map<String, TemplateHold> templates = new HashMap<>();
        private final Map<String, MarketingHold> marketing = new HashMap<>();
        private final boolean empty;

        private Index(SendingHolds holds) {
            holds.templates.forEach(t -> templates.put(key(t.orgId(), t.name(), t.language()), t));
            // the longest hold of an org wins: a restriction for days over an hourly look at a flag
            holds.marketing.forEach(m -> marketing.merge(m.orgId(), m, (a, b) -> a.until().isAfter(b.until()) ? a : b));
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

        private static String key(String orgId, String name, String language) {
            return orgId + '\u0000' + name + '\u0000' + language;
        }
    }
}
