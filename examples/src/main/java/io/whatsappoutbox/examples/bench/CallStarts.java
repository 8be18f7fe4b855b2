package io.whatsappoutbox.examples.bench;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A provider that notes when the dispatcher starts each call, per org, and hands the call on: the
 * pace the dispatcher kept, apart from what the transport and the stub's threads add before a
 * request is counted as arrived.
 */
final class CallStarts implements MessageProvider {
    private final MessageProvider provider;
    private final Map<String, Queue<Long>> startsByOrg = new ConcurrentHashMap<>();

    CallStarts(MessageProvider provider) {
        this.provider = provider;
    }

    private void started(OutboundMessage message) {
        startsByOrg.computeIfAbsent(message.orgId(), k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime());
    }

    /** The most calls of any one org started within any second. */
    long busiestSlidingSecond() {
        return startsByOrg.values().stream().mapToLong(MetaStub::busiestSlidingSecond).max().orElse(0);
    }

    @Override
    public SendResult send(OutboundMessage message) {
        started(message);
        return provider.send(message);
    }

    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        started(message);
        return provider.sendAsync(message);
    }

    @Override
    public boolean isAsynchronous() {
        return provider.isAsynchronous();
    }

    @Override
    public String name() {
        return provider.name();
    }

    @Override
    public Duration callTimeout() {
        return provider.callTimeout();
    }

    @Override
    public int maxConcurrentCalls() {
        return provider.maxConcurrentCalls();
    }

    @Override
    public ErrorCatalogue errorCatalogue() {
        return provider.errorCatalogue();
    }
}
