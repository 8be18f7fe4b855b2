package io.whatsappoutbox.sms;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.sms.internal.TwilioResponses;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SMS through Twilio's Programmable Messaging API (or any API of the same shape):
 * {@code POST {baseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json}, form-encoded, with HTTP
 * Basic authentication.
 *
 * <p>Every outcome comes back as a {@link SendResult}: Twilio's error codes as Twilio reports them,
 * {@code HTTP_5xx} for an error without a readable body, {@code UNREADABLE_RESPONSE},
 * {@code NETWORK_ERROR}, {@code TIMEOUT} and {@code PROVIDER_EXCEPTION} (a failed call maps as for
 * every HTTP provider, see {@code CallFailures}). Error messages are stored with phone numbers
 * masked, and neither the auth token nor a full number reaches a log line.
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client's threads and connections when the
 * provider created the client itself.
 */
public final class TwilioSmsProvider implements MessageProvider, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TwilioSmsProvider.class);
    /** Code for content an SMS cannot carry: Twilio's "message body is required" (BAD_REQUEST). */
    static final String NO_TEXT_BODY = "21602";

    private final TwilioSendRequests requests;
    private final TwilioSendCalls calls;
    private final OkHttpClient client;
    private final boolean ownsClient;
    private final ErrorCatalogue errorCatalogue;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final boolean asynchronous;

    private TwilioSmsProvider(TwilioProviderSettings s, TwilioProviderSettings.Checked checked) {
        this.asynchronous = s.asynchronous();
        this.requests = new TwilioSendRequests(s, checked.base(), checked.from());
        this.ownsClient = s.httpClient() == null;
        this.client = TwilioHttpClient.of(s);
        this.errorCatalogue = s.errorCatalogue();
        this.calls = new TwilioSendCalls(new TwilioResponses(new ObjectMapper(), s.authToken(), s.clock()),
                s.authToken().reveal());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "twilio";
    }

    /** The HTTP client's call timeout: the dispatcher starts no call closer than this to its lease's end. */
    @Override
    public Duration callTimeout() {
        return Duration.ofMillis(client.callTimeoutMillis());
    }

    /** What its client carries at once to Twilio's one host: the calls beyond would queue in it. */
    @Override
    public int maxConcurrentCalls() {
        return Math.min(client.dispatcher().getMaxRequests(), client.dispatcher().getMaxRequestsPerHost());
    }

    @Override
    public ErrorCatalogue errorCatalogue() {
        return errorCatalogue;
    }

    @Override
    public SendResult send(OutboundMessage message) {
        String to = masked(message);
        SendResult refused = refused(message, to);
        if (refused != null) {
            return refused;
        }
        return calls.execute(client.newCall(request(message, to)), message, to);
    }

    /** Asynchronous: completed from OkHttp's thread with exactly what {@link #send} would answer. */
    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        String to = masked(message);
        SendResult refused = refused(message, to);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        return calls.enqueue(client.newCall(request(message, to)), message, to);
    }

    /** Whether the dispatcher sends through {@link #sendAsync}: {@link Builder#asynchronous}. */
    @Override
    public boolean isAsynchronous() {
        return asynchronous;
    }

    private static String masked(OutboundMessage message) {
        return message == null || message.to() == null ? "none" : message.to().masked();
    }

    /** The answer without a call (closed, nothing to send as SMS), or null: the message goes out. */
    private SendResult refused(OutboundMessage message, String to) {
        Objects.requireNonNull(message, "message");
        if (closed.get()) {
            return TwilioSendCalls.failure(message, to, ProviderError.network(OutboxErrorCodes.NETWORK_ERROR,
                    "Not sent: the Twilio provider is closed"));
        }
        if (!(message.content() instanceof MessageContent.Text text) || isBlank(text.body())) {
            String kind = message.content() == null ? "no" : message.content().type().name();
            log.warn("SMS message {} of org {} to {} not sent: {} content, SMS carries text only",
                    message.id(), message.orgId(), to, kind);
            return new SendResult.Rejected(ProviderError.of(NO_TEXT_BODY, 0,
                    "Not sent: an SMS carries a non-blank text body only, this message has " + kind + " content"));
        }
        return null;
    }

    private Request request(OutboundMessage message, String to) {
        Request request = requests.request(message.to(), ((MessageContent.Text) message.content()).body());
        log.debug("Sending SMS message {} of org {} to {} through Twilio", message.id(), message.orgId(), to);
        return request;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * Stops sending: later sends fail as {@code NETWORK_ERROR} without a call. Releases the HTTP
     * client's threads and pooled connections if this provider created the client; closing again
     * does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsClient) {
            TwilioHttpClient.release(client);
        }
    }

    /** The one client this provider calls through: tests look at its pool and dispatcher. */
    OkHttpClient httpClient() {
        return client;
    }

    @Override
    public String toString() {
        return "TwilioSmsProvider[" + requests + "]";
    }

    /** Settings of a {@link TwilioSmsProvider}; {@link #build()} checks them all at once. */
    public static final class Builder {
        private String baseUrl = "https://api.twilio.com";
        private String accountSid;
        private Secret authToken;
        private String from;
        private String messagingServiceSid;
        private URI statusCallbackUrl;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(15);
        private Duration callTimeout = Duration.ofSeconds(20);
        private int maxRequests = 512;
        private int maxRequestsPerHost = 512;
        private boolean asynchronous;
        private OkHttpClient httpClient;
        private ErrorCatalogue errorCatalogue = ErrorCatalogue.twilio();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Twilio's API root, {@code https://api.twilio.com} by default; may carry a path prefix. */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** {@code AC} and 32 hex digits: the account in the URL and the Basic auth user. */
        public Builder accountSid(String accountSid) {
            this.accountSid = accountSid;
            return this;
        }

        public Builder authToken(Secret authToken) {
            this.authToken = authToken;
            return this;
        }

        /** The sending number; exclusive with {@link #messagingServiceSid}. */
        public Builder from(PhoneNumber from) {
            this.from = from == null ? null : from.value();
            return this;
        }

        /** The sending number in E.164; exclusive with {@link #messagingServiceSid}. */
        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /** {@code MG} and 32 hex digits: Twilio picks the sender; exclusive with {@link #from}. */
        public Builder messagingServiceSid(String messagingServiceSid) {
            this.messagingServiceSid = messagingServiceSid;
            return this;
        }

        /** Where Twilio posts delivery statuses: an absolute http(s) URL, sent as {@code StatusCallback}. */
        public Builder statusCallbackUrl(URI statusCallbackUrl) {
            this.statusCallbackUrl = statusCallbackUrl;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
            return this;
        }

        /** The whole call, from connecting to reading the body. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        /**
         * Most asynchronous calls at once, 512 by default. Sizes the provider's own client only: a
         * host's client keeps its dispatcher.
         */
        public Builder maxRequests(int maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        /** Most calls at once to Twilio's host (512 by default), and the idle connections kept for them. */
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

        /** A client to share connections and dispatcher with; the provider derives its own from it. */
        public Builder httpClient(OkHttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        public Builder errorCatalogue(ErrorCatalogue errorCatalogue) {
            this.errorCatalogue = errorCatalogue;
            return this;
        }

        /** Used to turn a {@code Retry-After} date into a delay. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @throws InvalidInputException naming every setting that is missing or wrong */
        public TwilioSmsProvider build() {
            TwilioProviderSettings s = new TwilioProviderSettings(baseUrl, accountSid, authToken, from,
                    messagingServiceSid, statusCallbackUrl, connectTimeout, readTimeout, callTimeout, maxRequests,
                    maxRequestsPerHost, asynchronous, httpClient, errorCatalogue, clock);
            return new TwilioSmsProvider(s, s.check());
        }
    }
}
