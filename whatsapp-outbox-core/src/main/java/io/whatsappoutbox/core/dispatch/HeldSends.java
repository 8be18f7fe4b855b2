package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.SendingHolds;
import io.whatsappoutbox.core.SendingHours;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending holds as last read from the store: refreshed by the maintenance, read by the sender
 * for each claimed message without a query.
 */
final class HeldSends {
    private static final Logger log = LoggerFactory.getLogger(HeldSends.class);

    /** Why a message is held, and until when (null: never sendable again). */
    record Hold(ErrorInfo error, Instant until) {}

    private final DispatchStore store;
    private final Predicate<OutboundMessage> marketing;
    private final RecipientZones zones = new RecipientZones();
    private volatile SendingHolds.Index current = SendingHolds.NONE.index();

    HeldSends(DispatchStore store, Predicate<OutboundMessage> marketing) {
        this.store = store;
        this.marketing = marketing;
    }

    /** Reads the holds again; when the store fails, the last ones read stay. */
    void refresh(Instant now) {
        try {
            current = store.sendingHolds(now).index();
        } catch (RuntimeException e) {
            log.warn("Could not read the sending holds, keeping the last ones: {}", e.toString());
        }
    }

    /** The hold on {@code m} at {@code now}, or null. */
    Hold of(OutboundMessage m, Instant now) {
        SendingHolds.Index holds = current;
        if (holds.isEmpty()) {
            return null;
        }
        if (m.content().withoutContext().type() == ContentType.TEMPLATE
                && m.content().withoutContext() instanceof Template t) {
            SendingHolds.TemplateHold h = holds.template(m.orgId(), t.name(), t.language());
            if (h != null && h.isFinal()) {
                return new Hold(new ErrorInfo(OutboxErrorCodes.TEMPLATE_DISABLED, "Template " + t.name() + " ("
                        + t.language() + ") " + h.reason(), ErrorCategory.TEMPLATE), null);
            }
            if (h != null && h.until().isAfter(now)) {
                return new Hold(new ErrorInfo(OutboxErrorCodes.TEMPLATE_PAUSED, "Template " + t.name() + " ("
                        + t.language() + ") " + h.reason() + " until " + h.until(), ErrorCategory.TEMPLATE), h.until());
            }
        }
        SendingHolds.MarketingHold mh = holds.marketing(m.orgId());
        if (mh != null && mh.until().isAfter(now) && marketing.test(m)) {
            return new Hold(new ErrorInfo(OutboxErrorCodes.MARKETING_HALTED, "Marketing of org " + m.orgId()
                    + " held: " + mh.reason() + " until " + mh.until(), ErrorCategory.ACCOUNT_RESTRICTED), mh.until());
        }
        SendingHours hours = holds.hours(m.orgId());
        if (hours != null && (hours.holdsTransactional() || marketing.test(m))) {
            ZoneId zone = zones.of(m, hours);
            Instant opens = hours.nextOpening(now, zone);
            if (opens.isAfter(now)) {
                // waits without spending an attempt, as a quota reset does
                return new Hold(new ErrorInfo(OutboxErrorCodes.OUTSIDE_SENDING_HOURS, "Outside the sending hours of org "
                        + m.orgId() + " in " + zone + ": held until " + opens, ErrorCategory.RATE_LIMITED), opens);
            }
        }
        return null;
    }
}
