package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.HttpProviderFailureContract;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Meta's answers in their real shapes (accepted, each error category), through {@code sendAsync}:
 * read exactly as the synchronous send reads them; and many calls in flight at once to Graph.
 */
class MetaCloudProviderAsyncResponseTest extends MetaCloudProviderResponseTest {
    @Override
    SendResult send(MetaCloudProvider p, OutboundMessage message) {
        // the dispatcher sends through sendAsync only when the host asks (Builder.asynchronous); it answers either way
        assertThat(p.isAsynchronous()).isFalse();
        try {
            return p.sendAsync(message).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage failed instead of answering", e);
        }
    }

    @Test
    void manyCallsRunAtOnceToGraphBeyondOkHttpsFivePerHost() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                        + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}")));
        List<CompletableFuture<SendResult>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(provider.sendAsync(Messages.whatsapp(MessageContent.text("Bonjour " + i))).toCompletableFuture());
        }
        // enqueue starts a call at once while the dispatcher has room: all twenty run, none queued
        int running = provider.httpClient().dispatcher().runningCallsCount();
        int queued = provider.httpClient().dispatcher().queuedCallsCount();

        for (CompletableFuture<SendResult> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
        }
        assertThat(running).isEqualTo(20);
        assertThat(queued).isZero();
        assertThat(provider.httpClient().dispatcher().getMaxRequestsPerHost()).isEqualTo(512);
        assertThat(provider.httpClient().dispatcher().getMaxRequests()).isEqualTo(512);
    }

    @Test
    void aStageCancelledWhileItsCallIsQueuedNeverSendsIt() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                        + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}")));
        try (MetaCloudProvider one = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).maxRequests(1).maxRequestsPerHost(1).build()) {
            CompletableFuture<SendResult> first = one.sendAsync(Messages.whatsapp(MessageContent.text("un")))
                    .toCompletableFuture();
            CompletableFuture<SendResult> second = one.sendAsync(Messages.whatsapp(MessageContent.text("deux")))
                    .toCompletableFuture();
            assertThat(one.httpClient().dispatcher().queuedCallsCount()).isEqualTo(1);

            // the dispatcher gives a stage up this way once its call timeout has passed
            second.cancel(false);

            assertThat(first.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
            // the cancelled call leaves OkHttp's queue once the first is done, and fails there unsent
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (one.httpClient().dispatcher().runningCallsCount() + one.httpClient().dispatcher().queuedCallsCount() > 0
                    && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(one.httpClient().dispatcher().runningCallsCount()).isZero();
            meta.verify(1, postRequestedFor(urlMatching(".*/messages")));
        }
    }
}
