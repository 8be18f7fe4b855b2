package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Meta's answers in their real shapes (accepted, each error category), through {@code sendAsync}
 * of a provider built {@code asynchronous}: the non-blocking client reads them exactly as the
 * synchronous send reads them; many calls in flight at once hold no thread, and beyond
 * {@code maxRequests} they wait in line.
 */
class MetaCloudProviderAsyncResponseTest extends MetaCloudProviderResponseTest {
    private static final String ACCEPTED = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":"
            + "\"+33612345678\",\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}";

    @Override
    boolean asynchronous() {
        return true;
    }

    @Override
    SendResult send(MetaCloudProvider p, OutboundMessage message) {
        assertThat(p.isAsynchronous()).isTrue();
        return Messages.sentNonBlocking(p, message);
    }

    @Test
    void manyCallsInFlightAtOnceHoldNoThreadEach() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json").withBody(ACCEPTED)));
        int before = httpClientThreads();
        List<CompletableFuture<SendResult>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(provider.sendAsync(Messages.whatsapp(MessageContent.text("Bonjour " + i))).toCompletableFuture());
        }
        // sendAsync starts each call at once while there is room: all forty run, none waits in line
        MetaNonBlockingCalls nonBlocking = provider.nonBlockingCalls();
        int running = nonBlocking.running();
        int waiting = nonBlocking.waiting();
        int during = httpClientThreads();

        for (CompletableFuture<SendResult> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
        }
        assertThat(running).isEqualTo(40);
        assertThat(waiting).isZero();
        // OkHttp's enqueue would hold forty dispatcher threads here; the non-blocking client has a
        // few threads of its own (I/O, timer), some started with its first connection, none per call
        assertThat(during - before).as("HTTP client threads started while forty calls were in flight")
                .isLessThanOrEqualTo(3);
        meta.verify(40, postRequestedFor(anyUrl()));
    }

    /** The threads of HTTP clients in this JVM (WireMock's server threads are not counted). */
    private static int httpClientThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("OkHttp") || n.startsWith("whatsapp-outbox-meta-http"))
                .count();
    }

    @Test
    void beyondMaxRequestsCallsWaitInLineAndAllAreAnswered() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(500)
                .withHeader("Content-Type", "application/json").withBody(ACCEPTED)));
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).maxRequests(10).maxRequestsPerHost(3).build()) {
            List<CompletableFuture<SendResult>> calls = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                calls.add(p.sendAsync(Messages.whatsapp(MessageContent.text("Bonjour " + i))).toCompletableFuture());
            }
            int running = p.nonBlockingCalls().running();
            int waiting = p.nonBlockingCalls().waiting();

            for (CompletableFuture<SendResult> call : calls) {
                assertThat(call.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
            }
            // the per-host limit is the smaller one: every send goes to Graph's host
            assertThat(running).isEqualTo(3);
            assertThat(waiting).isEqualTo(4);
            assertThat(p.nonBlockingCalls().running()).isZero();
        }
        meta.verify(7, postRequestedFor(anyUrl()));
    }

    @Test
    void closingAnswersTheCallsWaitingInLineAsNotSentAndLetsThePoolGoAfterTheCallsInFlight() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(500)
                .withHeader("Content-Type", "application/json").withBody(ACCEPTED)));
        MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).maxRequestsPerHost(2).build();
        List<CompletableFuture<SendResult>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(p.sendAsync(Messages.whatsapp(MessageContent.text("Bonjour " + i))).toCompletableFuture());
        }

        p.close();

        for (int i = 0; i < 5; i++) {
            SendResult r = calls.get(i).get(60, TimeUnit.SECONDS);
            if (i < 2) {
                assertThat(r).as("in flight when closed").isInstanceOf(SendResult.Accepted.class);
            } else {
                ProviderError e = ((SendResult.Rejected) r).error();
                assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
                assertThat(e.message()).contains("closed");
            }
        }
        assertThat(p.nonBlockingCalls().released()).isTrue();
        meta.verify(2, postRequestedFor(anyUrl()));
    }

    @Test
    void aHostsOkHttpClientKeepsTheAsynchronousCallsWithIt() {
        okhttp3.OkHttpClient shared = new okhttp3.OkHttpClient();
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).httpClient(shared).build()) {
            assertThat(p.nonBlockingCalls()).isNull();
            meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withBody(ACCEPTED)));

            assertThat(p.sendAsync(Messages.whatsapp(MessageContent.text("x"))).toCompletableFuture().join())
                    .isInstanceOf(SendResult.Accepted.class);
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void aLargeErrorPageIsCutAndReadAsTheSynchronousPathReadsIt() {
        String page = "<html>" + "x".repeat(MetaSendCalls.MAX_RESPONSE_BYTES * 2) + "</html>";
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(502).withBody(page)));

        ProviderError e = ((SendResult.Rejected) send(provider, Messages.whatsapp(MessageContent.text("x")))).error();

        assertThat(e.code()).isEqualTo("HTTP_502");
        assertThat(e.message()).startsWith("HTTP 502 from Meta: <html>xxx");
    }

    @Test
    void aStageCancelledWhileItsCallIsQueuedNeverSendsIt() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                        + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}")));
        try (MetaCloudProvider one = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(false).maxRequests(1).maxRequestsPerHost(1).build()) {
            // not asynchronous: sendAsync, if called, enqueues on OkHttp
            CompletableFuture<SendResult> first = one.sendAsync(Messages.whatsapp(MessageContent.text("un")))
                    .toCompletableFuture();
            CompletableFuture<SendResult> second = one.sendAsync(Messages.whatsapp(MessageContent.text("deux")))
                    .toCompletableFuture();
            assertThat(one.httpClient().dispatcher().queuedCallsCount()).isEqualTo(1);

            // the dispatcher gives a stage up this way once its call timeout has passed
            second.cancel(false);

            assertThat(first.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
            // the cancelled call leaves OkHttp's queue once the first is done, and fails there unsent
            Eventually.await("the cancelled call out of OkHttp's queue", Duration.ofSeconds(10),
                    () -> one.httpClient().dispatcher().runningCallsCount()
                            + one.httpClient().dispatcher().queuedCallsCount() == 0);
            meta.verify(1, postRequestedFor(urlMatching(".*/messages")));
        }
    }

    @Test
    void aStageCancelledInTheNonBlockingLineIsNeverSentAndOneCancelledInFlightGivesItsRoomBack() throws Exception {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json").withBody(ACCEPTED)));
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).maxRequestsPerHost(1).build()) {
            CompletableFuture<SendResult> first = p.sendAsync(Messages.whatsapp(MessageContent.text("un")))
                    .toCompletableFuture();
            CompletableFuture<SendResult> second = p.sendAsync(Messages.whatsapp(MessageContent.text("deux")))
                    .toCompletableFuture();
            CompletableFuture<SendResult> third = p.sendAsync(Messages.whatsapp(MessageContent.text("trois")))
                    .toCompletableFuture();
            assertThat(p.nonBlockingCalls().waiting()).isEqualTo(2);

            // the dispatcher gives stages up this way once their call timeout has passed
            second.cancel(false);
            first.cancel(false);

            // the first's room goes to the third at once, the second never starts
            assertThat(p.nonBlockingCalls().waiting()).isZero();
            assertThat(p.nonBlockingCalls().running()).isEqualTo(1);
            assertThat(third.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
            assertThat(p.nonBlockingCalls().running()).isZero();
            assertThat(p.nonBlockingCalls().waiting()).isZero();
        }
        // the first may or may not have reached Meta before it was cancelled; the second never did
        assertThat(meta.findAll(postRequestedFor(anyUrl()))).noneMatch(r -> r.getBodyAsString().contains("deux"))
                .anyMatch(r -> r.getBodyAsString().contains("trois"));
    }

    @Test
    void theDispatcherIsToldHowManyCallsTheClientCarriesAtOnce() {
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).maxRequests(10).maxRequestsPerHost(3).build()) {
            // every send goes to Graph's one host: the per-host limit is the one that holds
            assertThat(p.maxConcurrentCalls()).isEqualTo(3);
        }
        okhttp3.OkHttpClient shared = new okhttp3.OkHttpClient();
        shared.dispatcher().setMaxRequestsPerHost(7);
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).asynchronous(true).httpClient(shared).build()) {
            assertThat(p.maxConcurrentCalls()).isEqualTo(7);
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }
}
