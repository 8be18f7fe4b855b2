package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.meta.internal.MetaJson;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Sends messages through Meta's WhatsApp Cloud API:
 * {@code POST {baseUrl}/{graphVersion}/{phone-number-id}/messages} with the org's access token.
 *
 * <p>Every answer Meta gives, and every network failure, comes back as a {@link SendResult}: an
 * accepted message with its {@code wamid}, or a {@link ProviderError} carrying Meta's own code
 * (classified by {@link #errorCatalogue()}), {@code HTTP_<status>} when Meta's body had no code,
 * or one of {@link OutboxErrorCodes#NETWORK_ERROR}, {@link OutboxErrorCodes#TIMEOUT},
 * {@link OutboxErrorCodes#UNREADABLE_RESPONSE}, {@link OutboxErrorCodes#PROVIDER_EXCEPTION} (a failed
 * call maps as for every HTTP provider, see {@code CallFailures}),
 * {@link OutboxErrorCodes#PROVIDER_NOT_CONFIGURED}.
 *
 * <p>A failure of the {@link WhatsAppAccounts} lookup itself (a store outage) is not a provider
 * answer: it propagates, and the dispatcher records it as {@code PROVIDER_EXCEPTION} and retries.
 *
 * <p>It is asynchronous ({@link #sendAsync}): by default, with its own client, the dispatcher
 * sends through Apache HttpClient 5's non-blocking client, where a call in flight holds no thread,
 * at most {@link Builder#maxRequests} (and {@link Builder#maxRequestsPerHost}) at once, the others
 * waiting in line, no automatic retry; HTTP/2 is negotiated by TLS ALPN where Graph offers it,
 * HTTP/1.1 to a cleartext loopback stub. With a host's OkHttp client (whose interceptors, proxy and
 * TLS settings then apply) it sends through that client: synchronously by default, through
 * OkHttp's {@code Call.enqueue} (a dispatcher thread blocks for each round trip) when asked. With
 * {@code asynchronous(false)} the dispatcher's send threads call {@link #send}. Every path answers
 * alike. The synchronous send, media uploads, read receipts and template listing always go through
 * OkHttp.
 *
 * <p>OkHttp's silent retry on connection failure and redirect following are turned off, so a POST
 * that may have reached Meta is never sent a second time behind the outbox's back.
 *
 * <p>Thread-safe and immutable. Logs carry the message id, the org id and the masked recipient,
 * never the token nor the message text. Its HTTP client (its own, or derived from a host's) is
 * built once and shared by its {@link #directCalls()}; {@link #close()} releases it.
 */
public final class MetaCloudProvider implements MessageProvider, AutoCloseable {
    private final HttpUrl baseUrl;
    private final String graphVersion;
    private final OkHttpClient client;
    private final boolean ownsClient;
    private final ErrorCatalogue errorCatalogue;
    private final MetaSendRequests requests;
    private final MetaSendCalls calls;
    private final MetaDirectCalls directCalls;
    private final MetaTemplateSource templateSource;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final boolean asynchronous;
    /** The non-blocking asynchronous path, or null when sendAsync enqueues on OkHttp. */
    private final MetaNonBlockingCalls nonBlocking;

    private MetaCloudProvider(MetaProviderSettings s, HttpUrl baseUrl) {
        this.asynchronous = s.asynchronous();
        this.baseUrl = baseUrl;
        this.graphVersion = s.graphVersion();
        this.errorCatalogue = s.errorCatalogue();
        this.ownsClient = s.httpClient() == null;
        this.client = MetaHttpClient.of(s);
        ObjectMapper mapper = MetaJson.newMapper();
        MetaSendResponses responses = new MetaSendResponses(mapper);
        this.requests = new MetaSendRequests(s.accounts(), closed, baseUrl, graphVersion, mapper);
        this.calls = new MetaSendCalls(responses, s.clock());
        this.nonBlocking = nonBlocking(s, baseUrl, calls);
        this.directCalls = new MetaDirectCalls(s.accounts(), client, closed, baseUrl, graphVersion, mapper, responses);
        this.templateSource = new MetaTemplateSource(client, closed, baseUrl, graphVersion, responses, s.clock());
    }

    /**
     * The non-blocking client's path when the host asked for asynchronous sends and left the client to the
     * provider; a host's OkHttp client keeps every call, its interceptors and proxy with it.
     */
    private static MetaNonBlockingCalls nonBlocking(MetaProviderSettings s, HttpUrl baseUrl, MetaSendCalls calls) {
        if (!s.asynchronous() || s.httpClient() != null) {
            return null;
        }
        return new MetaNonBlockingCalls(s, baseUrl, calls);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "meta";
    }

    /** The HTTP client's call timeout: the dispatcher starts no call closer than this to its lease's end. */
    @Override
    public Duration callTimeout() {
        return Duration.ofMillis(client.callTimeoutMillis());
    }

    /** What its client carries at once to Graph's one host: the calls beyond would queue in it. */
    @Override
    public int maxConcurrentCalls() {
        return Math.min(client.dispatcher().getMaxRequests(), client.dispatcher().getMaxRequestsPerHost());
    }

    /** Media upload and read receipts for an org, through this provider's client and accounts. */
    public MetaDirectCalls directCalls() {
        return directCalls;
    }

    /** The org's templates as Meta lists them, every page, through this provider's client: what the registry syncs from. */
    public MetaTemplateSource templateSource() {
        return templateSource;
    }

    @Override
    public ErrorCatalogue errorCatalogue() {
        return errorCatalogue;
    }

    @Override
    public SendResult send(OutboundMessage message) {
        MetaSendRequests.Prepared call = requests.prepare(message);
        if (call.answer() != null) {
            return call.answer();
        }
        return calls.execute(client.newCall(call.request()), message, call.token());
    }

    /**
     * Asynchronous: completed with exactly what {@link #send} would answer, from the non-blocking
     * client's I/O thread, or OkHttp's thread with a host's client or without {@link Builder#asynchronous}.
     */
    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        MetaSendRequests.Prepared call = requests.prepare(message);
        if (call.answer() != null) {
            return CompletableFuture.completedFuture(call.answer());
        }
        if (nonBlocking != null) {
            return nonBlocking.send(call, message);
        }
        return calls.enqueue(client.newCall(call.request()), message, call.token());
    }

    /**
     * Whether the dispatcher sends through {@link #sendAsync}: {@link Builder#asynchronous}, on by
     * default with the provider's own client.
     */
    @Override
    public boolean isAsynchronous() {
        return asynchronous;
    }

    /**
     * Stops sending: later sends and direct calls fail as {@code NETWORK_ERROR} without a call.
     * Releases the HTTP client's threads and idle connections when this provider created the
     * client; a client passed to {@link Builder#httpClient} belongs to the host and is left alone.
     * On the non-blocking path, calls waiting for room are answered as not sent and the client
     * closes once the calls in flight are answered. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsClient) {
            MetaHttpClient.release(client);
        }
        if (nonBlocking != null) {
            nonBlocking.close();
        }
    }

    /** The one client this provider calls through: tests look at its pool and dispatcher. */
    OkHttpClient httpClient() {
        return client;
    }

    /** The non-blocking asynchronous path, null when sendAsync enqueues on OkHttp (tests). */
    MetaNonBlockingCalls nonBlockingCalls() {
        return nonBlocking;
    }

    @Override
    public String toString() {
        return "MetaCloudProvider[" + baseUrl + ", " + graphVersion + "]";
    }

    /** Settings of a {@link MetaCloudProvider}; {@link #build()} validates them all at once. */
    public static final class Builder {
        private WhatsAppAccounts accounts;
        private String baseUrl = "https://graph.facebook.com";
        private String graphVersion = "v23.0";
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(15);
        private Duration callTimeout = Duration.ofSeconds(20);
        private int maxRequests = 512;
        private int maxRequestsPerHost = 512;
        /** Null until set: then on with the provider's own client, off with a host's. */
        private Boolean asynchronous;
        private OkHttpClient httpClient;
        private ErrorCatalogue errorCatalogue = ErrorCatalogue.meta();
        private Clock clock = Clock.systemUTC();
        private X509TrustManager trustManager;

        private Builder() {}

        /** Where each org's phone number id and access token come from. Required. */
        public Builder accounts(WhatsAppAccounts accounts) {
            this.accounts = accounts;
            return this;
        }

        /** {@code https://graph.facebook.com} by default; plain http only for a loopback host (tests). */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** The Graph API version, such as {@code v23.0} (the default). */
        public Builder graphVersion(String graphVersion) {
            this.graphVersion = graphVersion;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Longest wait for a byte of Meta's answer (also used as the write timeout). */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
            return this;
        }

        /** Longest time a whole send may take, connection included. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        /**
         * Most asynchronous calls at once, 512 by default: at 250 ms a call, 512 carry 2,000 msg/s.
         * Sizes the provider's own client only (its non-blocking client's calls and connections, or
         * its OkHttp dispatcher): a host's client keeps its dispatcher.
         */
        public Builder maxRequests(int maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        /** Most calls at once to Graph's host (512 by default), and the idle connections kept for them. */
        public Builder maxRequestsPerHost(int maxRequestsPerHost) {
            this.maxRequestsPerHost = maxRequestsPerHost;
            return this;
        }

        /**
         * Whether the dispatcher sends through {@link #sendAsync} instead of its send threads. On by
         * default with the provider's own client: a non-blocking HTTP client (Apache HttpClient 5),
         * where a call in flight holds no thread, so one instance keeps many numbers at Meta's pace
         * when Meta answers slowly. Off by default with a host's {@link #httpClient}: its OkHttp
         * dispatcher would hold a thread per call and cap the calls at its own per-host limit (5 by
         * OkHttp's default); turned on, that client's asynchronous calls are used.
         */
        public Builder asynchronous(boolean asynchronous) {
            this.asynchronous = asynchronous;
            return this;
        }

        /**
         * A host's client, to share its connection pool and dispatcher. The provider derives its
         * own client from it with {@link OkHttpClient#newBuilder()}, so the timeouts set here apply.
         */
        public Builder httpClient(OkHttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /** How Meta's codes are classified; {@link ErrorCatalogue#meta()} by default. */
        public Builder errorCatalogue(ErrorCatalogue errorCatalogue) {
            this.errorCatalogue = errorCatalogue;
            return this;
        }

        /** Reads a {@code Retry-After} given as a date; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Trusts what {@code trustManager} trusts instead of the JVM's certificates: tests against a local TLS server. */
        Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = trustManager;
            return this;
        }

        /** @throws io.whatsappoutbox.core.InvalidInputException naming every bad setting */
        public MetaCloudProvider build() {
            MetaProviderSettings s = new MetaProviderSettings(accounts, baseUrl, graphVersion, connectTimeout,
                    readTimeout, callTimeout, maxRequests, maxRequestsPerHost,
                    asynchronous == null ? httpClient == null : asynchronous, httpClient,
                    errorCatalogue, clock, trustManager);
            return new MetaCloudProvider(s, s.checkedBaseUrl());
        }
    }
}
