package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** The runbook's outbound health dashboard: every channel, over a window. */
public record ChannelHealthReport(Instant asOf, String scope, Duration window, Map<Channel, ChannelHealth> channelMetrics) {
    public ChannelHealthReport {
        Map<Channel, ChannelHealth> copy = new EnumMap<>(Channel.class);
        copy.putAll(channelMetrics);
        channelMetrics = Collections.unmodifiableMap(copy);
    }
}
