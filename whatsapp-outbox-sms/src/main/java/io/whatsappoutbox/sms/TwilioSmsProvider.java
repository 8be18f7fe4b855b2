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
import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.MessageProvider;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.sms.internal.TwilioResponses;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Credentials;
import okhttp3.Dispatcher;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
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
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    private static final Pattern MESSAGING_SERVICE_SID = Pattern.compile("MG[0-9a-fA-F]{32}");
    /** Twilio's answers are a few kilobytes; a larger body is not one of them. */
    private static final int MAX_RESPONSE_BYTES = 256 * 1024;
    /** Code for content an SMS cannot carry: Twilio's "message body is required" (BAD_REQUEST). */
    static final String NO_TEXT_BODY = "21602";

    private final HttpUrl messagesUrl;
    private final String accountSid;
    private final String authorization;
    private final PhoneNumber from;
    private final String messagingServiceSid;
    private final URI statusCallbackUrl;
    private final OkHttpClient client;
    private final boolean ownsClient;
    private final ErrorCatalogue errorCatalogue;
    private final TwilioResponses responses;
    private final String authToken;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final boolean asynchronous;

    private TwilioSmsProvider(Builder b, HttpUrl base, PhoneNumber from) {
        this.asynchronous = b.asynchronous;
        this.accountSid = b.accountSid;
        this.messagesUrl = base.newBuilder()
                .addPathSegment("2010-04-01").addPathSegment("Accounts").addPathSegment(b.accountSid)
                .addPathSegment("Messages.json").build();
        this.authorization = Credentials.basic(b.accountSid, b.authToken.reveal(), StandardCharsets.UTF_8);
        this.from = from;
        this.messagingServiceSid = b.messagingServiceSid;
        this.statusCallbackUrl = b.statusCallbackUrl;
        this.ownsClient = b.httpClient == null;
        // Retries belong to the outbox, which counts them: a silent OkHttp retry of a POST could
        // send the SMS twice. Redirects are not part of Twilio's API and would carry credentials.
        this.client = (ownsClient ? new OkHttpClient.Builder().dispatcher(dispatcher(b.maxRequests, b.maxRequestsPerHost))
                .connectionPool(new ConnectionPool(b.maxRequestsPerHost, 5, TimeUnit.MINUTES))
                : b.httpClient.newBuilder())
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .callTimeout(b.callTimeout)
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .build();
        this.errorCatalogue = b.errorCatalogue;
        this.authToken = b.authToken.reveal();
        this.responses = new TwilioResponses(new ObjectMapper(), b.authToken, b.clock);
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
        return "twilio";
    }

    /** The HTTP client's call timeout: the dispatcher starts no call closer than this to its lease's end. */
    @Override
    public Duration callTimeout() {
        return Duration.ofMillis(client.callTimeoutMillis());
    }

    @Override
    public ErrorCatalogue errorCatalogue() {
        return errorCatalogue;
    }

    @Override
    public SendResult send(OutboundMessage message) {
        String to = message == null || message.to() == null ? "none" : message.to().masked();
        SendResult refused = refused(message, to);
        if (refused != null) {
            return refused;
        }
        Request request = request(message.to(), ((MessageContent.Text) message.content()).body());
        log.debug("Sending SMS message {} of org {} to {} through Twilio", message.id(), message.orgId(), to);
        Response response;
        try {
            response = client.newCall(request).execute();
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            return failure(message, to, CallFailures.of("Twilio", e, 0, authToken));
        }
        return answer(message, to, response);
    }

    /** Asynchronous: completed from OkHttp's thread with exactly what {@link #send} would answer. */
    @Override
    public CompletionStage<SendResult> sendAsync(OutboundMessage message) {
        String to = message == null || message.to() == null ? "none" : message.to().masked();
        SendResult refused = refused(message, to);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        Request request = request(message.to(), ((MessageContent.Text) message.content()).body());
        log.debug("Sending SMS message {} of org {} to {} through Twilio", message.id(), message.orgId(), to);
        CompletableFuture<SendResult> answered = new CompletableFuture<>();
        client.newCall(request).enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                answered.complete(failure(message, to,
                        CallFailures.of("Twilio", CallFailures.asThrownByTheCall(e), 0, authToken)));
            }

            @Override
            public void onResponse(Call c, Response response) {
                answered.complete(answer(message, to, response));
            }
        });
        return answered;
    }

    /** Whether the dispatcher sends through {@link #sendAsync}: {@link Builder#asynchronous}. */
    @Override
    public boolean isAsynchronous() {
        return asynchronous;
    }

    /** The answer without a call (closed, nothing to send as SMS), or null: the message goes out. */
    private SendResult refused(OutboundMessage message, String to) {
        Objects.requireNonNull(message, "message");
        if (closed.get()) {
            return failure(message, to, ProviderError.network(OutboxErrorCodes.NETWORK_ERROR,
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

    /**
     * Twilio's answer, read and closed the same way on both paths: a body that breaks off, or
     * cannot be closed, is an unreadable answer. Never throws (the callback must complete the stage).
     */
    private SendResult answer(OutboundMessage message, String to, Response response) {
        int status = response.code();
        try (response) {
            SendResult result = responses.interpret(status, read(response), response.header("Retry-After"),
                    response.header("Twilio-Request-Id"));
            logResult(message, to, result);
            return result;
        } catch (Exception e) {
            return failure(message, to, CallFailures.of("Twilio", e, status, authToken));
        }
    }

    private Request request(PhoneNumber to, String body) {
        FormBody.Builder form = new FormBody.Builder(StandardCharsets.UTF_8).add("To", to.value());
        if (from != null) {
            form.add("From", from.value());
        } else {
            form.add("MessagingServiceSid", messagingServiceSid);
        }
        form.add("Body", body);
        if (statusCallbackUrl != null) {
            form.add("StatusCallback", statusCallbackUrl.toString());
        }
        return new Request.Builder().url(messagesUrl).post(form.build())
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .build();
    }

    /** The body, or null when it is larger than any answer Twilio gives. */
    private static byte[] read(Response response) throws IOException {
        try (InputStream in = response.body().byteStream()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            return bytes.length > MAX_RESPONSE_BYTES ? null : bytes;
        }
    }

    private static SendResult failure(OutboundMessage message, String to, ProviderError error) {
        log.warn("SMS message {} of org {} to {}: Twilio call failed with {}", message.id(), message.orgId(), to,
                error.code());
        return new SendResult.Rejected(error);
    }

    private static void logResult(OutboundMessage message, String to, SendResult result) {
        if (result instanceof SendResult.Accepted) {
            SendResult.Accepted a = (SendResult.Accepted) result;
            log.debug("Twilio accepted SMS message {} of org {} to {} as {} ({})", message.id(), message.orgId(), to,
                    a.providerMessageId(), a.providerStatus());
        } else {
            ProviderError e = ((SendResult.Rejected) result).error();
            log.warn("Twilio rejected SMS message {} of org {} to {}: code {}, HTTP {}, request {}", message.id(),
                    message.orgId(), to, e.code(), e.httpStatus(), e.traceId());
        }
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
        return "TwilioSmsProvider[url=" + messagesUrl + ", sender="
                + (from != null ? from.masked() : messagingServiceSid) + "]";
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
            Violations v = new Violations();
            HttpUrl base = null;
            if (v.requirePresent("baseUrl", baseUrl)) {
                base = HttpUrl.parse(baseUrl.trim());
                if (base == null) {
                    v.add("baseUrl", "'" + Violations.printable(baseUrl) + "' is not an absolute http(s) URL",
                            "an absolute https:// URL such as https://api.twilio.com");
                }
            }
            if (v.requirePresent("accountSid", accountSid) && !ACCOUNT_SID.matcher(accountSid).matches()) {
                v.add("accountSid", "is not an account sid", "'AC' followed by 32 hexadecimal digits");
            }
            v.requireNonNull("authToken", authToken);
            PhoneNumber sender = sender(v);
            if (statusCallbackUrl != null && !isHttpUrl(statusCallbackUrl)) {
                v.add("statusCallbackUrl", "is not an absolute http(s) URL", "an absolute https:// URL");
            }
            positive(v, "connectTimeout", connectTimeout);
            positive(v, "readTimeout", readTimeout);
            positive(v, "callTimeout", callTimeout);
            v.range("maxRequests", maxRequests, 1, 100_000);
            v.range("maxRequestsPerHost", maxRequestsPerHost, 1, 100_000);
            v.requireNonNull("errorCatalogue", errorCatalogue);
            v.requireNonNull("clock", clock);
            v.throwIfAny("Twilio SMS provider settings");
            return new TwilioSmsProvider(this, base, sender);
        }

        private PhoneNumber sender(Violations v) {
            if ((from == null) == (messagingServiceSid == null)) {
                v.add("from", from == null ? "and messagingServiceSid are both missing"
                        : "and messagingServiceSid are both set", "exactly one of from or messagingServiceSid");
                return null;
            }
            if (messagingServiceSid != null) {
                if (!MESSAGING_SERVICE_SID.matcher(messagingServiceSid).matches()) {
                    v.add("messagingServiceSid", "is not a messaging service sid",
                            "'MG' followed by 32 hexadecimal digits");
                }
                return null;
            }
            try {
                return PhoneNumber.of(from);
            } catch (InvalidInputException e) {
                v.add("from", "'" + PhoneNumber.mask(from) + "' is not a valid E.164 number",
                        "E.164: '+' then 7 to 15 digits, the first not 0, no spaces");
                return null;
            }
        }

        private static boolean isHttpUrl(URI uri) {
            String scheme = uri.getScheme();
            return uri.isAbsolute() && uri.getHost() != null && scheme != null
                    && (scheme.toLowerCase(Locale.ROOT).equals("https") || scheme.toLowerCase(Locale.ROOT).equals("http"));
        }

        private static void positive(Violations v, String field, Duration d) {
            // OkHttp counts whole milliseconds in an int.
            if (v.requireNonNull(field, d) && (d.compareTo(Duration.ofMillis(1)) < 0
                    || d.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0)) {
                v.add(field, "is " + d, "between 1 ms and 24 days");
            }
        }
    }
}
