package io.whatsappoutbox.core.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How an HTTP provider reports a call that failed, the same for every provider (the table of
 * {@code io.whatsappoutbox.core.internal.CallFailures}), and how it holds and closes its one
 * HTTP client. A provider module's test extends it with its provider, a message and the
 * provider's real answer to an accepted send; every case runs against WireMock.
 */
public abstract class HttpProviderFailureContract<P extends MessageProvider & AutoCloseable> {
    @RegisterExtension
    protected static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** Generous, so that only the cases about timeouts time out on a slow machine. */
    private static final Duration READ = Duration.ofSeconds(10);
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Duration SHORT = Duration.ofMillis(200);
    private static final int HELD_BACK_MILLIS = 1_500;

    /** How the provider names itself in its error messages: "Meta", "Twilio". */
    protected abstract String providerName();

    /**
     * A provider calling {@code baseUrl} with these timeouts (connect: 5 s), through a client
     * derived from {@code shared}, or through its own when {@code shared} is null.
     */
    protected abstract P provider(String baseUrl, Duration readTimeout, Duration callTimeout, OkHttpClient shared);

    /** A message this provider sends. */
    protected abstract OutboundMessage message();

    /** The provider's answer to an accepted send, in the provider's own shape and status. */
    protected abstract ResponseDefinitionBuilder accepted();

    /** What no error may show: the credential the call carries, the recipient's full number. */
    protected abstract List<String> secrets();

    /** The HTTP client the provider calls through. */
    protected abstract OkHttpClient clientOf(P provider);

    /**
     * Whether the provider holds its own client open after a send: by default its OkHttp client
     * keeps the connection alive in its pool. A provider whose calls go through another client
     * (Meta's non-blocking one, on its asynchronous path) looks at that one.
     */
    protected void assertHoldsItsOwnClient(P provider) {
        assertThat(clientOf(provider).connectionPool().connectionCount()).as("the kept-alive connection").isEqualTo(1);
    }

    /** Whether the provider let its own client's threads and connections go on close. */
    protected void assertReleasedItsOwnClient(P provider) {
        OkHttpClient client = clientOf(provider);
        assertThat(client.dispatcher().executorService().isShutdown()).isTrue();
        assertThat(client.connectionPool().connectionCount()).isZero();
    }

    /**
     * How a case sends: {@link MessageProvider#send}; a subclass for the asynchronous path sends
     * with {@link MessageProvider#sendAsync} and waits for the stage, so every case holds for both.
     */
    protected SendResult send(P provider, OutboundMessage message) {
        return provider.send(message);
    }

    /** Whether {@link #send} takes the asynchronous path, where no caller's thread waits to be interrupted. */
    protected boolean asynchronous() {
        return false;
    }

    /** The asynchronous send, waited for: for the subclasses of the asynchronous path. */
    protected static SendResult sendAsyncAndWait(MessageProvider provider, OutboundMessage message) {
        try {
            return provider.sendAsync(message).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage failed instead of answering", e);
        }
    }

    private ProviderError rejected(P provider) {
        SendResult result = send(provider, message());
        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        ProviderError error = ((SendResult.Rejected) result).error();
        String all = error.message() + " " + error.details() + " " + error.traceId();
        for (String secret : secrets()) {
            assertThat(all).doesNotContain(secret);
        }
        return error;
    }

    private ProviderError rejectedWith(ResponseDefinitionBuilder answer, Duration read, Duration call,
            OkHttpClient shared) throws Exception {
        server.stubFor(post(anyUrl()).willReturn(answer));
        try (P provider = provider(server.baseUrl(), read, call, shared)) {
            return rejected(provider);
        }
    }

    private ProviderError rejectedWith(ResponseDefinitionBuilder answer) throws Exception {
        return rejectedWith(answer, READ, CALL, null);
    }

    private int acceptedStatus() {
        return accepted().build().getStatus();
    }

    @Test
    void noAnswerWithinTheReadTimeoutIsATimeout() throws Exception {
        ProviderError e = rejectedWith(accepted().withFixedDelay(HELD_BACK_MILLIS), SHORT, CALL, null);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.message()).startsWith(providerName() + " did not answer in time");
    }

    @Test
    void theCallTimeoutBoundsTheWholeCall() throws Exception {
        ProviderError e = rejectedWith(accepted().withFixedDelay(HELD_BACK_MILLIS), READ, SHORT, null);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isZero();
    }

    @Test
    void aBodyThatStallsHalfWayIsATimeoutWithItsStatus() throws Exception {
        // the status comes after 100 ms, the body's 40 pieces over 4 s: the call timeout ends it
        ProviderError e = rejectedWith(accepted().withChunkedDribbleDelay(40, 4_000), READ, Duration.ofMillis(800),
                null);

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isEqualTo(acceptedStatus());
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "RANDOM_DATA_THEN_CLOSE"})
    void aConnectionBrokenBeforeTheAnswerIsANetworkErrorAndIsNotRetriedSilently(Fault fault) throws Exception {
        ProviderError e = rejectedWith(accepted().withFault(fault));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.message()).startsWith("Network error calling " + providerName());
        // a second POST could send the message twice: the outbox decides, not the HTTP client
        server.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aBodyBrokenOffAfterTheStatusIsAnUnreadableAnswer() throws Exception {
        ProviderError e = rejectedWith(accepted().withFault(Fault.MALFORMED_RESPONSE_CHUNK));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        // WireMock sends this fault with its own status 200
        assertThat(e.httpStatus()).isEqualTo(200);
        assertThat(e.message()).startsWith("HTTP 200 from " + providerName() + ", answer unreadable");
        server.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aRefusedConnectionIsANetworkError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (P provider = provider("http://127.0.0.1:" + closedPort, READ, CALL, null)) {
            ProviderError e = rejected(provider);

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
            assertThat(e.httpStatus()).isZero();
        }
    }

    @Test
    void anInterruptedCallerGetsANetworkErrorAndKeepsItsInterruptFlag() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(asynchronous(), "no caller waits on the asynchronous path");
        server.stubFor(post(anyUrl()).willReturn(accepted().withFixedDelay(HELD_BACK_MILLIS)));
        try (P provider = provider(server.baseUrl(), READ, CALL, null)) {
            Thread.currentThread().interrupt();
            ProviderError e = rejected(provider);
            boolean stillInterrupted = Thread.interrupted();

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
            assertThat(e.message()).startsWith("Call to " + providerName() + " interrupted");
            assertThat(stillInterrupted).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aRuntimeExceptionOfTheHttpClientIsAProviderExceptionWithoutItsSecrets() throws Exception {
        OkHttpClient shared = new OkHttpClient.Builder().addInterceptor(chain -> {
            throw new IllegalStateException("interceptor failed on " + String.join(" ", secrets()));
        }).build();
        try {
            ProviderError e = rejectedWith(accepted(), READ, CALL, shared);

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_EXCEPTION);
            assertThat(e.httpStatus()).isZero();
            assertThat(e.message()).startsWith("Call to " + providerName() + " failed: IllegalStateException");
            server.verify(0, anyRequestedFor(anyUrl()));
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void anAnswerThatCannotBeReadIsUnreadableWithItsStatus() throws Exception {
        OkHttpClient shared = new OkHttpClient.Builder().addInterceptor(chain -> {
            Response real = chain.proceed(chain.request());
            real.close();
            return real.newBuilder().body(new BrokenBody()).build();
        }).build();
        try {
            ProviderError e = rejectedWith(accepted(), READ, CALL, shared);

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
            assertThat(e.httpStatus()).isEqualTo(acceptedStatus());
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void aSharedClientGetsTheProvidersTimeoutsAndItsPoolAndIsLeftRunning() throws Exception {
        OkHttpClient shared = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        server.stubFor(post(anyUrl()).willReturn(accepted().withFixedDelay(HELD_BACK_MILLIS)));
        P provider = provider(server.baseUrl(), SHORT, CALL, shared);
        try {
            ProviderError e = rejected(provider);
            provider.close();

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
            assertThat(clientOf(provider).connectionPool()).isSameAs(shared.connectionPool());
            assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void closingTwiceReleasesItsOwnClientAndLaterSendsCallNobody() throws Exception {
        server.stubFor(post(anyUrl()).willReturn(accepted()));
        P provider = provider(server.baseUrl(), READ, CALL, null);
        assertThat(send(provider, message())).isInstanceOf(SendResult.Accepted.class);
        assertHoldsItsOwnClient(provider);

        provider.close();
        provider.close();
        ProviderError afterClose = rejected(provider);

        assertReleasedItsOwnClient(provider);
        assertThat(afterClose.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        assertThat(afterClose.message()).contains("closed");
        server.verify(1, anyRequestedFor(anyUrl()));
    }

    /** An answer whose body the HTTP library cannot hand over. */
    private static final class BrokenBody extends ResponseBody {
        @Override
        public MediaType contentType() {
            return null;
        }

        @Override
        public long contentLength() {
            return -1;
        }

        @Override
        public BufferedSource source() {
            throw new IllegalStateException("the response codec failed");
        }
    }
}
