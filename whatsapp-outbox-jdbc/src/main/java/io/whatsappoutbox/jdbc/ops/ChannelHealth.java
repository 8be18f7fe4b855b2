package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;

/**
 * One channel's entry of the runbook's dashboard JSON ({@code channelMetrics.WHATSAPP}).
 *
 * @param totalMessages messages created in the window
 * @param successfulMessages of which SENT, DELIVERED or READ
 * @param failedMessages of which FAILED
 * @param successRate successful / total in percent, one decimal; null without messages
 * @param averageLatencyMs mean of {@code sent_at - created_at} over the accepted ones; null without any
 */
public record ChannelHealth(Channel channel, long totalMessages, long successfulMessages, long failedMessages,
        Double successRate, Long averageLatencyMs) {}
