package io.whatsappoutbox.core.dispatch;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.store.ClaimedMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most N sends per second per sending number (Meta: 80 by default per business phone number),
 * with Resilience4j rate limiters, one per sender. The limit holds per dispatcher instance: several
 * instances sending from one number share the provider's limit, which answers 130429 when it is
 * exceeded, and that throttles the org without spending attempts, unless the store shares pacing
 * ({@link SharedPace}): then these limiters only smooth what the shared positions let through.
 */
final class Pacer {
    private final int defaultRate;
    private final int smsRate;
    private final Map<String, Integer> overrides;
    private final Duration maxWait;
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    /** The rates of every sender seen, summed when a limiter is made: the pace the dispatcher must reach. */
    private volatile int rateSum;

    Pacer(int defaultRate, int smsRate, Map<String, Integer> overrides, Duration maxWait) {
        this.defaultRate = defaultRate;
        this.smsRate = smsRate;
        this.overrides = Map.copyOf(overrides);
        this.maxWait = maxWait;
    }

    /** The sender a message is paced as: its WhatsApp number, or the channel when it has none (SMS). */
    static String senderOf(ClaimedMessage c) {
        return c.message().channel() == Channel.WHATSAPP && c.senderId() != null ? c.senderId()
                : c.message().channel().name();
    }

    /**
     * Waits for a send slot of the message's sender, at most the configured wait.
     *
     * @return false when no slot came in time: the message is rescheduled, not sent
     */
    boolean acquire(ClaimedMessage c) {
        return limiter(senderOf(c), rate(c)).acquirePermission();
    }

    /** The message's sending number when it has one (WhatsApp): what a store may pace across instances. */
    static String numberOf(ClaimedMessage c) {
        return c.message().channel() == Channel.WHATSAPP ? c.senderId() : null;
    }

    /** Messages per second of the message's sender: the override, its stored rate, else the default. */
    int rate(ClaimedMessage c) {
        Integer stored = rateOf(c);
        return overrides.getOrDefault(senderOf(c), stored == null ? defaultRate : stored);
    }

    /** The longest wait for a send slot. */
    Duration maxWait() {
        return maxWait;
    }

    /**
     * Reserves a send slot of the message's sender without waiting for it, for the asynchronous
     * path: the call is started when the slot comes, no thread waits for it.
     *
     * @return nanoseconds until the slot, or a negative number when none comes within the configured wait
     */
    long reserve(ClaimedMessage c) {
        return limiter(senderOf(c), rate(c)).reservePermission();
    }

    /** The sender's rate from its provider configuration, or null for the default. */
    private Integer rateOf(ClaimedMessage c) {
        return c.message().channel() == Channel.SMS ? Integer.valueOf(smsRate) : c.senderMessagesPerSecond();
    }

    private RateLimiter limiter(String sender, int rate) {
        RateLimiter limiter = limiters.get(sender);
        if (limiter != null && limiter.getRateLimiterConfig().getLimitForPeriod() == rate) {
            // the common case, without compute's lock on the map's bin: every send thread comes here
            return limiter;
        }
        limiter = limiters.compute(sender, (key, existing) ->
                existing != null && existing.getRateLimiterConfig().getLimitForPeriod() == rate ? existing
                        : RateLimiter.of("sender-" + key, RateLimiterConfig.custom()
                                .limitForPeriod(rate)
                                .limitRefreshPeriod(Duration.ofSeconds(1))
                                .timeoutDuration(maxWait)
                                .build()));
        int sum = 0;
        for (RateLimiter l : limiters.values()) {
            sum += l.getRateLimiterConfig().getLimitForPeriod();
        }
        rateSum = sum;
        return limiter;
    }

    /** Messages per second of every sender this dispatcher has sent for (0 before the first send). */
    int pacedRateSum() {
        return rateSum;
    }
}
