package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The runbook's outbound health dashboard: every channel, over a window, and the quality and
 * messaging limit of each WhatsApp sending number Meta reported on.
 */
public record ChannelHealthReport(Instant asOf, String scope, Duration window, Map<Channel, ChannelHealth> channelMetrics,
        List<NumberHealth> numbers) {
    public ChannelHealthReport {
        Map<Channel, ChannelHealth> copy = new EnumMap<>(Channel.class);
        copy.putAll(channelMetrics);
        channelMetrics = Collections.unmodifiableMap(copy);
        numbers = numbers == null ? List.of() : List.copyOf(numbers);
    }

    public ChannelHealthReport(Instant asOf, String scope, Duration window, Map<Channel, ChannelHealth> channelMetrics) {
        this(asOf, scope, window, channelMetrics, List.of());
    }
}
