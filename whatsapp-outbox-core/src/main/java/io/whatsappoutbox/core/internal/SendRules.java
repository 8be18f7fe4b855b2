package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPolicy;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.store.SessionWindow;

import java.time.Instant;
import java.util.Objects;

/**
 * The checks made before a message is handed to a provider, as a pure function of the state the
 * store read with the claim: consent, then the 24-hour session window. (Quota and throttle are
 * checked by the store in the same step that reserves the quota.)
 */
public final class SendRules {
    private final ConsentPolicy consentPolicy;

    public SendRules(ConsentPolicy consentPolicy) {
        this.consentPolicy = Objects.requireNonNull(consentPolicy, "consentPolicy");
    }

    /** The outcome of the checks. */
    public sealed interface Verdict permits Allowed, Blocked {}

    /** The message may be sent. */
    public record Allowed() implements Verdict {}

    /** The message must not be sent; it goes to the dead letter with {@code error}. */
    public record Blocked(ErrorInfo error) implements Verdict {}

    private static final Allowed ALLOWED = new Allowed();

    public Verdict check(OutboundMessage message, ConsentStatus consent, SessionWindow window, Instant now) {
        if (!consentPolicy.allows(message.channel(), consent == null ? ConsentStatus.UNKNOWN : consent)) {
            return new Blocked(new ErrorInfo(OutboxErrorCodes.NO_CONSENT,
                    "No " + consentPolicy.requirement(message.channel()).name().toLowerCase(java.util.Locale.ROOT)
                            + " " + message.purpose().name().toLowerCase(java.util.Locale.ROOT)
                            + " consent for " + message.channel() + " (consent is " + consent + ")",
                    ErrorCategory.OPTED_OUT));
        }
        if (message.channel() == Channel.WHATSAPP
                && !(window == null ? SessionWindow.never() : window).allows(message.content(), now)) {
            return new Blocked(new ErrorInfo(OutboxErrorCodes.SESSION_WINDOW_CLOSED,
                    "Free-form " + message.content().type() + " outside the 24-hour customer service window"
                            + " (last inbound " + (window == null || window.lastInboundAt() == null
                                    ? "never" : window.lastInboundAt().toString()) + ")",
                    ErrorCategory.SESSION_EXPIRED));
        }
        return ALLOWED;
    }
}
