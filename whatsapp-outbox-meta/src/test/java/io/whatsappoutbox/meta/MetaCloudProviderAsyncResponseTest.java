package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
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
}
