package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.internal.RetryAfter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.meta.internal.MetaJson;
import io.whatsappoutbox.meta.internal.MetaMessageJson;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>It is asynchronous ({@link #sendAsync}, OkHttp's {@code Call.enqueue}): its own client's
 * dispatcher lets {@link Builder#maxRequests} calls run at once, {@link Builder#maxRequestsPerHost}
 * of them to Graph (OkHttp's default of 5 per host would cap the pace), with as many idle
 * connections kept; HTTP/2 is negotiated by TLS ALPN where Graph offers it. Both paths answer alike.
 *
 * <p>OkHttp's silent retry on connection failure and redirect following are turned off, so a POST
 * that may have reached Meta is never sent a second time behind the outbox's back.
 *
 * <p>Thread-safe and immutable. Logs carry the message id, the org id and the masked recipient,
 * never the token nor the message text. Its HTTP client (its own, or derived from a host's) is
 * built once and shared by its {@link #directCalls()}; {@link #close()} releases it.
 */
public final class MetaCloudProvider implements MessageProvider, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaCloudProvider.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final Pattern GRAPH_VERSION = Pattern.compile("v\\d{1,3}\\.\\d{1,3}");
    /** Meta's answers are a few hundred bytes; an error page is cut well before this. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final Pattern HEADER_SAFE = Pattern.compile("[\\x21-\\x7e]+");

    private final WhatsAppAccounts accounts;
    private final HttpUrl baseUrl;
    private final String graphVersion;
    private final OkHttpClient client;
    private final boolean ownsClient;
    private final ErrorCatalogue errorCatalogue;
    private final Clock clock;
    private final MetaMessageJson requests;
    private final MetaSendResponses responses;
    private final ObjectMapper mapper;
    private final MetaDirectCalls directCalls;
    private final MetaTemplateSource templateSource;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final boolean asynchronous;

    private MetaCloudProvider(Builder b, HttpUrl baseUrl) {
        this.asynchronous = b.asynchronous;
        this.accounts = b.accounts;
        this.baseUrl = baseUrl;
        this.graphVersion = b.graphVersion;
        this.errorCatalogue = b.errorCatalogue;
        this.clock = b.clock;
        this.ownsClient = b.httpClient == null;
        OkHttpClient.Builder http = b.httpClient == null
                ? new OkHttpClient.Builder().dispatcher(dispatcher(b.maxRequests, b.maxRequestsPerHost))
                        .connectionPool(new ConnectionPool(b.maxRequestsPerHost, 5, TimeUnit.MINUTES))
                : b.httpClient.newBuilder();
        this.client = http.connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .callTimeout(b.callTimeout)
                // a silent retry of a POST that reached Meta would send the message twice: the
                // outbox decides about retries, with the failure recorded
                .retryOnConnectionFailure(false)
                // Graph never redirects a send; following one would carry the token elsewhere
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
        this.mapper = MetaJson.newMapper();
        this.requests = new MetaMessageJson(mapper);
        this.responses = new MetaSendResponses(mapper);
        this.directCalls = new MetaDirectCalls(accounts, client, closed, baseUrl, graphVersion, mapper, responses);
        this.templateSource = new MetaTemplateSource(client, closed, baseUrl, graphVersion, responses, clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** As many asynchronous calls at once as the pace needs: OkHttp's default is 64, 5 per host. */
    private static Dispatcher dispatcher(int maxRequests, int maxRequestsPerHost) {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(maxRequests);
        d.setMaxRequestsPerHost(maxRequestsPerHost);
        return d;
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
        Prepared call = prepare(message);
        if (call.answer != null) {
            return call.answer;
        }
        SendResult result;
        Response response;
        try {
            response = client.newCall(call.request).execute();
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            result = SendResult.rejected(CallFailures.of("Meta", e, 0, call.token));
            logResult(message, result);
            return result;
        }
        result = answer(response, call.token);
        logResult(message, result);
        return result;
    }

    /** Asynchronous: completed from OkHttp's thread with exactly what {@link #send} would answer. */
    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        Prepared call = prepare(message);
        if (call.answer != null) {
            return CompletableFuture.completedFuture(call.answer);
        }
        CompletableFuture<SendResult> answered = new CompletableFuture<>();
        client.newCall(call.request).enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                SendResult result = SendResult.rejected(CallFailures.of("Meta", CallFailures.asThrownByTheCall(e), 0, call.token));
                logResult(message, result);
                answered.complete(result);
            }

            @Override
            public void onResponse(Call c, Response response) {
                SendResult result = answer(response, call.token);
                logResult(message, result);
                answered.complete(result);
            }
        });
        return answered;
    }

    /** Whether the dispatcher sends through {@link #sendAsync}: {@link Builder#asynchronous}. */
    @Override
    public boolean isAsynchronous() {
        return asynchronous;
    }

    /** A request ready to go, or the answer given without a call. */
    private record Prepared(Request request, String token, SendResult answer) {}

    private Prepared prepare(OutboundMessage message) {
        Objects.requireNonNull(message, "message");
        if (closed.get()) {
            log.info("Message {} of org {} not sent: the Meta provider is closed", message.id(), message.orgId());
            return new Prepared(null, null, SendResult.rejected(ProviderError.network(OutboxErrorCodes.NETWORK_ERROR,
                    "Not sent: the Meta provider is closed")));
        }
        PhoneNumber to = message.to();
        if (message.channel() != Channel.WHATSAPP) {
            return notConfigured(message, "the Meta provider sends WHATSAPP messages only, not " + message.channel());
        }
        Optional<WhatsAppAccount> found = accounts.forOrg(message.orgId());
        if (found.isEmpty()) {
            return notConfigured(message, "no WhatsApp account configured for org " + message.orgId());
        }
        WhatsAppAccount account = found.get();
        if (!account.enabled()) {
            return notConfigured(message, "the WhatsApp account of org " + message.orgId() + " is disabled");
        }
        if (account.accessToken() == null || !HEADER_SAFE.matcher(account.accessToken().reveal()).matches()) {
            return notConfigured(message, "the WhatsApp account of org " + message.orgId()
                    + " has no usable access token");
        }
        String token = account.accessToken().reveal();
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(requests.body(to, message.content()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the request of message " + message.id(), e);
        }
        HttpUrl url = baseUrl.newBuilder()
                .addPathSegment(graphVersion)
                .addPathSegment(account.phoneNumberId())
                .addPathSegment("messages")
                .build();
        Request request = new Request.Builder()
                .url(url)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .post(RequestBody.create(body, JSON))
                .build();
        log.debug("Sending message {} of org {} to {} through Meta phone number id {}", message.id(),
                message.orgId(), to.masked(), account.phoneNumberId());
        return new Prepared(request, token, null);
    }

    /**
     * Meta's answer, read and closed the same way on both paths: a body that breaks off, or cannot
     * be closed, is an unreadable answer. Never throws (the callback must complete the stage).
     */
    private SendResult answer(Response response, String token) {
        int status = response.code();
        try (response) {
            Duration retryAfter = RetryAfter.parse(response.header("Retry-After"), clock.instant());
            return responses.interpret(status, read(response.body()), retryAfter, token);
        } catch (Exception e) {
            return SendResult.rejected(CallFailures.of("Meta", e, status, token));
        }
    }

    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_RESPONSE_BYTES);
        }
    }

    private Prepared notConfigured(OutboundMessage message, String why) {
        log.info("Message {} of org {} not sent through Meta: {}", message.id(), message.orgId(), why);
        return new Prepared(null, null, SendResult.rejected(ProviderError.of(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED, 0, why)));
    }

    private static void logResult(OutboundMessage message, SendResult result) {
        if (result instanceof SendResult.Accepted accepted) {
            log.debug("Message {} of org {} accepted by Meta as {} (status {})", message.id(), message.orgId(),
                    accepted.providerMessageId(), accepted.providerStatus());
        } else if (result instanceof SendResult.Rejected rejected) {
            ProviderError e = rejected.error();
            log.info("Message {} of org {} to {} rejected by Meta: code {} HTTP {} trace {}", message.id(),
                    message.orgId(), message.to().masked(), e.code(), e.httpStatus(), e.traceId());
        }
    }

    /**
     * Stops sending: later sends and direct calls fail as {@code NETWORK_ERROR} without a call.
     * Releases the HTTP client's threads and idle connections when this provider created the
     * client; a client passed to {@link Builder#httpClient} belongs to the host and is left alone.
     * Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsClient) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    /** The one client this provider calls through: tests look at its pool and dispatcher. */
    OkHttpClient httpClient() {
        return client;
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
        private boolean asynchronous;
        private OkHttpClient httpClient;
        private ErrorCatalogue errorCatalogue = ErrorCatalogue.meta();
        private Clock clock = Clock.systemUTC();

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
         * Sizes the provider's own client only: a host's client keeps its dispatcher.
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
         * Lets the dispatcher send through OkHttp's asynchronous calls instead of its send threads
         * (off by default: measured with a provider answering in 250 ms, it does not yet beat the
         * send threads, see docs/performance.md).
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

        /** @throws io.whatsappoutbox.core.InvalidInputException naming every bad setting */
        public MetaCloudProvider build() {
            Violations v = new Violations();
            v.requireNonNull("accounts", accounts);
            HttpUrl url = null;
            if (v.requirePresent("baseUrl", baseUrl)) {
                url = HttpUrl.parse(baseUrl.strip());
                if (url == null) {
                    v.add("baseUrl", "is not an absolute http(s) URL", "an absolute https:// URL");
                } else if (url.query() != null || url.fragment() != null) {
                    v.add("baseUrl", "has a query or a fragment", "scheme, host, port and path only");
                } else if (!url.isHttps() && !isLoopback(url.host())) {
                    v.add("baseUrl", "uses plain http to " + url.host(),
                            "https, so the access token is never sent in clear (http only to a loopback host)");
                }
            }
            v.text("graphVersion", graphVersion, 16, GRAPH_VERSION, "a Graph API version such as v23.0");
            duration(v, "connectTimeout", connectTimeout);
            duration(v, "readTimeout", readTimeout);
            duration(v, "callTimeout", callTimeout);
            v.range("maxRequests", maxRequests, 1, 100_000);
            v.range("maxRequestsPerHost", maxRequestsPerHost, 1, 100_000);
            v.requireNonNull("errorCatalogue", errorCatalogue);
            v.requireNonNull("clock", clock);
            v.throwIfAny("Meta provider settings");
            return new MetaCloudProvider(this, withoutTrailingSlash(url));
        }

        private static void duration(Violations v, String field, Duration d) {
            if (v.requireNonNull(field, d) && (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0)) {
                v.add(field, "is " + d, "more than zero, at most 10 minutes");
            }
        }

        private static boolean isLoopback(String host) {
            return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
        }

        private static HttpUrl withoutTrailingSlash(HttpUrl url) {
            // "https://host/" and "https://host/prefix/" end with an empty segment; drop it so the
            // version segment is appended, not inserted after a double slash
            HttpUrl.Builder b = url.newBuilder();
            int last = url.pathSize() - 1;
            if (last >= 0 && url.pathSegments().get(last).isEmpty()) {
                b.removePathSegment(last);
            }
            return b.build();
        }
    }
}
