package io.whatsappoutbox.core.dispatch;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.internal.SendRules;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.store.QuotaGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What of a claimed batch may be sent, decided before any call: its deadline (sendBy), the send
 * rules (consent, session window), Meta's lifecycle holds and the org's sending hours, a provider for the channel, the business account's messaging
 * limit and the org's quota. Two store statements at most per batch, none per message.
 */
final class SendGate {
    private final DispatchStore store;
    private final SendRules rules;
    private final HeldSends holds;
    private final Map<Channel, ProviderChain> chains;
    private final AttemptOutcomes outcomes;

    SendGate(DispatchStore store, SendRules rules, HeldSends holds, Map<Channel, ProviderChain> chains,
            AttemptOutcomes outcomes) {
        this.store = store;
        this.rules = rules;
        this.holds = holds;
        this.chains = chains;
        this.outcomes = outcomes;
    }

    /**
     * The batch's messages that may be sent now, their quota reserved in {@code quota}. The others'
     * results go to {@code sink}, only once the quota is reserved: when that throws, the caller
     * gives the whole batch back, and no result of it may be on its way to the writer.
     */
    List<ClaimedMessage> admit(List<ClaimedMessage> batch, Instant now, QuotaReturn quota,
            Consumer<AttemptResult> sink) {
        List<ClaimedMessage> allowed = new ArrayList<>(batch.size());
        List<AttemptResult> refused = new ArrayList<>();
        for (ClaimedMessage c : batch) {
            try {
                Instant giveUpAt = outcomes.giveUpAt(c.message());
                if (giveUpAt != null && !now.isBefore(giveUpAt)) {
                    refused.add(outcomes.expired(c, giveUpAt, "claimed at " + now, now));
                    continue;
                }
                SendRules.Verdict v = rules.check(c.message(), c.consent(), c.window(), now);
                HeldSends.Hold hold;
                if (v instanceof SendRules.Blocked b) {
                    refused.add(outcomes.blocked(c, b.error(), now));
                } else if ((hold = holds.of(c.message(), now)) != null) {
                    refused.add(outcomes.held(c, hold, now));
                } else if (chains.get(c.message().channel()) == null) {
                    refused.add(outcomes.deadLetter(c, new ErrorInfo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED,
                            "No provider configured for channel " + c.message().channel(), ErrorCategory.AUTH_CONFIG),
                            null, 0, Duration.ZERO, now));
                } else {
                    allowed.add(c);
                }
            } catch (RuntimeException | Error e) {
                refused.add(outcomes.failed(c, null, e, now));
            }
        }
        allowed = applyMessagingLimit(allowed, refused, now);
        List<ClaimedMessage> sendable = applyQuota(allowed, sink, now, quota);
        refused.forEach(sink);
        return sendable;
    }

    /**
     * Counts the batch's template recipients against their account's messaging limit, before the
     * quota (a refused message reserves none). A batch without WhatsApp templates costs a scan of
     * the list, nothing more. Refused ones wait for the window to free, or fall back at once under
     * a rule for {@code RATE_LIMITED} dead letters (the category Meta's own limit error has).
     * Refused results go to {@code refused}.
     */
    private List<ClaimedMessage> applyMessagingLimit(List<ClaimedMessage> allowed, List<AttemptResult> refused,
            Instant now) {
        boolean anyTemplate = false;
        for (int i = 0; i < allowed.size() && !anyTemplate; i++) {
            anyTemplate = isTemplate(allowed.get(i).message());
        }
        if (!anyTemplate) {
            return allowed;
        }
        Map<Long, Instant> over = store.reserveRecipients(allowed, now);
        if (over.isEmpty()) {
            return allowed;
        }
        List<ClaimedMessage> kept = new ArrayList<>(allowed.size());
        for (ClaimedMessage c : allowed) {
            OutboundMessage m = c.message();
            Instant frees = isTemplate(m) ? over.get(m.id()) : null;
            if (frees == null) {
                kept.add(c);
                continue;
            }
            ErrorInfo limit = new ErrorInfo(OutboxErrorCodes.MESSAGING_LIMIT, "Messaging limit of the business account"
                    + " of org " + m.orgId() + " reached: a new recipient waits until " + frees, ErrorCategory.RATE_LIMITED);
            try {
                refused.add(outcomes.fallsBackOn(m, ErrorCategory.RATE_LIMITED) ? outcomes.blocked(c, limit, now)
                        : outcomes.defer(c, limit, frees, now));
            } catch (RuntimeException | Error e) {
                refused.add(outcomes.failed(c, null, e, now));
            }
        }
        return kept;
    }

    private static boolean isTemplate(OutboundMessage m) {
        return m.channel() == Channel.WHATSAPP && m.content().withoutContext().type() == ContentType.TEMPLATE;
    }

    /** Reserves quota per org; what does not fit waits for the reset without spending an attempt. */
    private List<ClaimedMessage> applyQuota(List<ClaimedMessage> allowed, Consumer<AttemptResult> sink, Instant now,
            QuotaReturn quota) {
        Map<String, Integer> wanted = new HashMap<>();
        for (ClaimedMessage c : allowed) {
            if (c.message().channel() == Channel.WHATSAPP) {
                wanted.merge(c.message().orgId(), 1, Integer::sum);
            }
        }
        if (wanted.isEmpty()) {
            return allowed;
        }
        Map<String, QuotaGrant> grants = store.reserveQuota(wanted, now);
        Map<String, Integer> left = new HashMap<>();
        grants.forEach((org, g) -> left.put(org, g.granted()));
        List<ClaimedMessage> sendable = new ArrayList<>(allowed.size());
        for (ClaimedMessage c : allowed) {
            OutboundMessage m = c.message();
            if (m.channel() != Channel.WHATSAPP) {
                sendable.add(c);
                continue;
            }
            if (left.merge(m.orgId(), -1, Integer::sum) >= 0) {
                sendable.add(c);
                quota.reserved(1);
                continue;
            }
            QuotaGrant g = grants.get(m.orgId());
            Instant until = g.blockedUntil() == null ? now.plus(Duration.ofMinutes(1)) : g.blockedUntil();
            ErrorInfo exhausted = new ErrorInfo(OutboxErrorCodes.QUOTA_EXHAUSTED,
                    "Daily quota of org " + m.orgId() + " used up until " + until, ErrorCategory.RATE_LIMITED);
            AttemptResult r;
            try {
                r = outcomes.defer(c, exhausted, until, now);
            } catch (RuntimeException | Error e) {
                r = outcomes.failed(c, null, e, now);
            }
            sink.accept(r);
        }
        return sendable;
    }
}
