package io.whatsappoutbox.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.meta.internal.MetaMessageJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A message's send request to Graph, or the answer given without a call (closed, not configured). */
final class MetaSendRequests {
    // the provider's logger: log configuration names the provider
    private static final Logger log = LoggerFactory.getLogger(MetaCloudProvider.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final Pattern HEADER_SAFE = Pattern.compile("[\\x21-\\x7e]+");

    private final WhatsAppAccounts accounts;
    private final AtomicBoolean closed;
    private final HttpUrl baseUrl;
    private final String graphVersion;
    private final ObjectMapper mapper;
    private final MetaMessageJson requests;

    MetaSendRequests(WhatsAppAccounts accounts, AtomicBoolean closed, HttpUrl baseUrl, String graphVersion,
            ObjectMapper mapper) {
        this.accounts = accounts;
        this.closed = closed;
        this.baseUrl = baseUrl;
        this.graphVersion = graphVersion;
        this.mapper = mapper;
        this.requests = new MetaMessageJson(mapper);
    }

    /**
     * A request ready to go (its URL, JSON body and the token it carries), or the answer given
     * without a call; either transport sends it with exactly the headers of {@link #headers}.
     */
    record Prepared(HttpUrl url, byte[] body, String token, SendResult answer) {
        /** The OkHttp request: the synchronous path's, and the asynchronous one's through a host's client. */
        Request request() {
            Request.Builder b = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
            headers().forEach(b::header);
            return b.build();
        }

        /** Without the token and the body (the recipient): a record's own would print them. */
        @Override
        public String toString() {
            return "Prepared[" + (answer != null ? "answered " + answer : "to " + url) + "]";
        }

        /** The request's headers, the same for both transports. */
        Map<String, String> headers() {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Authorization", "Bearer " + token);
            h.put("Accept", "application/json");
            h.put("Content-Type", JSON.toString());
            return h;
        }
    }

    /** What a send answers once the provider is closed: nothing was sent. */
    static SendResult closedAnswer() {
        return SendResult.rejected(ProviderError.network(OutboxErrorCodes.NETWORK_ERROR,
                "Not sent: the Meta provider is closed"));
    }

    Prepared prepare(OutboundMessage message) {
        Objects.requireNonNull(message, "message");
        if (closed.get()) {
            log.info("Message {} of org {} not sent: the Meta provider is closed", message.id(), message.orgId());
            return new Prepared(null, null, null, closedAnswer());
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
        log.debug("Sending message {} of org {} to {} through Meta phone number id {}", message.id(),
                message.orgId(), to.masked(), account.phoneNumberId());
        return new Prepared(url, body, token, null);
    }

    private static Prepared notConfigured(OutboundMessage message, String why) {
        log.info("Message {} of org {} not sent through Meta: {}", message.id(), message.orgId(), why);
        return new Prepared(null, null, null, SendResult.rejected(ProviderError.of(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED, 0, why)));
    }
}
