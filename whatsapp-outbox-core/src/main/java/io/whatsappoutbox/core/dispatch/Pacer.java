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
 * with Resilience4j rate limiters, one per sender. A limiter hands out its permits in short cycles
 * ({@link Cycle}), not a second's worth at once: a one-second cycle let a burst at the end of one
 * cycle and another at the start of the next put twice the rate into one second. The limit holds per dispatcher instance: several
 * instances sending from one number share the provider's limit, which answers 130429 when it is
 * exceeded, and that throttles the org without spending attempts, unless the store shares pacing
 * ({@link SharedPace}): then these limiters only smooth what the shared positions let through.
 */
final class Pacer {
    private final int defaultRate;
    private final int smsRate;
    private final Map<String, Integer> overrides;
    private final Duration maxWait;
    private final Map<String, Paced> limiters = new ConcurrentHashMap<>();
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
        Paced paced = limiters.get(sender);
        if (paced != null && paced.rate == rate) {
            // the common case, without compute's lock on the map's bin: every send thread comes here
            return paced.limiter;
        }
        paced = limiters.compute(sender, (key, existing) ->
                existing != null && existing.rate == rate ? existing : new Paced(rate, limiterFor(key, rate, maxWait)));
        int sum = 0;
        for (Paced p : limiters.values()) {
            sum += p.rate;
        }
        rateSum = sum;
        return paced.limiter;
    }

    /** A sender's limiter: its permits come {@link Cycle#permits} at a time, one cycle after another. */
    static RateLimiter limiterFor(String sender, int rate, Duration maxWait) {
        Cycle cycle = Cycle.of(rate);
        return RateLimiter.of("sender-" + sender, RateLimiterConfig.custom()
                .limitForPeriod(cycle.permits())
                .limitRefreshPeriod(cycle.length())
                .timeoutDuration(maxWait)
                .build());
    }

    private record Paced(int rate, RateLimiter limiter) {}

    /**
     * How a rate is handed out: {@code permits} per cycle of {@code length}. Any second then holds at
     * most {@code rate + permits} sends (its whole cycles and one cut at each end), and
     * {@code permits} is at most a fiftieth of the rate, rounded up: within 2 % of the rate, one more
     * send at low rates. The length is rounded up, so the pace never exceeds the rate.
     */
    record Cycle(int permits, Duration length) {
        static Cycle of(int rate) {
            if (rate < 1) {
                throw new IllegalArgumentException("rate must be at least 1, was " + rate);
            }
            int permits = (rate + 49) / 50;
            long nanos = (permits * 1_000_000_000L + rate - 1) / rate;
            return new Cycle(permits, Duration.ofNanos(nanos));
        }
    }

    /** Messages per second of every sender this dispatcher has sent for (0 before the first send). */
    int pacedRateSum() {
        return rateSum;
    }
}
