package io.whatsappoutbox.test;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.sms.internal.FormDecoder;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.MalformedFormException;
import io.whatsappoutbox.test.internal.ReceivedSends;
import io.whatsappoutbox.test.internal.Script;
import io.whatsappoutbox.test.internal.Waits;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Twilio's Messages API on WireMock: {@code POST /2010-04-01/Accounts/<sid>/Messages.json}
 * answered as Twilio does (201 with the message resource, {@code status: queued}, or Twilio's error
 * body with its HTTP status), every send kept for assertions, and the status callbacks Twilio would
 * post next, signed with the auth token for the {@code StatusCallback} URL the send carried.
 *
 * <p>Point the host's {@code TwilioSmsProvider} at {@link #baseUrl()} with {@link #ACCOUNT_SID},
 * {@link #authToken()} and {@link #FROM}. Reset before each test by the kit.
 */
public final class TwilioStub {
    public static final String ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90";
    public static final String FROM = "+15017122661";
    static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Secret authToken;
    private final String callbackUrl;
    private final Clock clock;
    private final Script<TwilioError> script = new Script<>();
    private final ReceivedSends<TwilioSend> sends;
    private final String transformer = "outbox-kit-twilio-" + UUID.randomUUID();
    private WireMockServer server;

    TwilioStub(Secret authToken, String callbackUrl, Clock clock, Duration timeout) {
        this.authToken = authToken;
        this.callbackUrl = callbackUrl;
        this.clock = clock;
        this.sends = new ReceivedSends<>("the Twilio stub", TwilioSend::to, timeout);
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Answers()));
        server.start();
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(aResponse().withTransformers(transformer)));
    }

    synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** Accepts every send again, without delay, and forgets the sends received. */
    public void reset() {
        script.reset();
        sends.clear();
    }

    /** The stub's URL, for {@code TwilioSmsProvider.builder().baseUrl(...)}. */
    public String baseUrl() {
        WireMockServer s = server;
        if (s == null) {
            throw new IllegalStateException("the Twilio stub runs only while the kit's test runs");
        }
        return s.baseUrl();
    }

    /** The auth token the callbacks are signed with (the stub accepts any credentials). */
    public Secret authToken() {
        return authToken;
    }

    /** The URL the callbacks are signed for when a send carried no {@code StatusCallback}. */
    public String callbackUrl() {
        return callbackUrl;
    }

    /** The next sends, one each, are answered with these errors in order; then the standing answer. */
    public void failNext(TwilioError... errors) {
        script.failNext(Arrays.asList(errors));
    }

    /** Every send from now on is answered with {@code error}, until {@link #reset}. */
    public void failAll(TwilioError error) {
        script.failAll(error);
    }

    /** Every answer from now on comes after {@code delay}. */
    public void delayAnswers(Duration delay) {
        script.delay(delay);
    }

    /** Every send received since the last reset, oldest first. */
    public List<TwilioSend> sends() {
        return sends.all();
    }

    /** The sends received for {@code to}, oldest first. */
    public List<TwilioSend> sendsTo(String to) {
        return sends.to(to);
    }

    /** Fails unless exactly {@code expected} sends to {@code to} were received, now. */
    public void assertSendsTo(String to, int expected) {
        sends.assertTo(to, expected);
    }

    /** Waits until {@code expected} sends to {@code to} were received, then fails if there are more. */
    public List<TwilioSend> awaitSendsTo(String to, int expected) {
        return sends.awaitTo(to, expected);
    }

    /** The {@code sent} status callback Twilio would post for the message {@code sid}. */
    public SignedWebhook sent(String sid) {
        return callback(sid, "sent", null);
    }

    /** The {@code delivered} status callback for {@code sid}. */
    public SignedWebhook delivered(String sid) {
        return callback(sid, "delivered", null);
    }

    /**
     * The {@code undelivered} status callback for {@code sid} with Twilio's delivery {@code errorCode}
     * (30003 unreachable handset, 30005 unknown handset, 30006 landline, 30007 carrier filtering...).
     */
    public SignedWebhook undelivered(String sid, int errorCode) {
        return callback(sid, "undelivered", errorCode);
    }

    /** The {@code failed} status callback for {@code sid} with {@code errorCode}. */
    public SignedWebhook failed(String sid, int errorCode) {
        return callback(sid, "failed", errorCode);
    }

    private SignedWebhook callback(String sid, String status, Integer errorCode) {
        TwilioSend send = sends.first(s -> sid != null && sid.equals(s.sid()))
                .orElseThrow(() -> new IllegalArgumentException("sid: the Twilio stub answered no send with '" + sid
                        + "' since its last reset"));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SmsSid", sid);
        params.put("SmsStatus", status);
        params.put("MessageStatus", status);
        params.put("To", send.to());
        params.put("MessageSid", sid);
        params.put("AccountSid", ACCOUNT_SID);
        if (send.from() != null) {
            params.put("From", send.from());
        }
        params.put("ApiVersion", "2010-04-01");
        if (errorCode != null) {
            params.put("ErrorCode", Integer.toString(errorCode));
        }
        String url = send.statusCallback() != null ? send.statusCallback() : callbackUrl;
        return WebhookSigner.twilio(authToken, url, params);
    }

    private TwilioSend record(byte[] body, TwilioError error) {
        Map<String, String> form = new LinkedHashMap<>();
        try {
            for (FormParam p : FormDecoder.decode(body)) {
                form.putIfAbsent(p.name(), p.value());
            }
        } catch (MalformedFormException e) {
            // kept as a send with no fields: the assertion on its recipient tells the test
        }
        String sid = error == null ? "SM" + UUID.randomUUID().toString().replace("-", "") : null;
        TwilioSend send = new TwilioSend(form.get("To"), form.get("From"), form.get("Body"), form.get("StatusCallback"),
                sid, error);
        sends.add(send);
        return send;
    }

    private ResponseDefinition answer(TwilioSend send, Duration delay) {
        ResponseDefinitionBuilder b = aResponse().withHeader("Content-Type", "application/json");
        if (send.error() == null) {
            b.withStatus(201).withBody(created(send));
        } else {
            TwilioError e = send.error();
            b.withStatus(e.httpStatus()).withBody("{\"code\":" + e.code() + ",\"message\":" + quote(e.message())
                    + ",\"more_info\":\"https://www.twilio.com/docs/errors/" + e.code() + "\",\"status\":"
                    + e.httpStatus() + "}");
        }
        if (!delay.isZero()) {
            b.withFixedDelay((int) Math.min(Integer.MAX_VALUE, delay.toMillis()));
        }
        return b.build();
    }

    /** Twilio's 201 body for a message it queued. */
    private String created(TwilioSend s) {
        String now = RFC_2822.format(clock.instant());
        return "{\"account_sid\":\"" + ACCOUNT_SID + "\",\"api_version\":\"2010-04-01\",\"body\":" + quote(s.text())
                + ",\"date_created\":\"" + now + "\",\"date_sent\":null,\"date_updated\":\"" + now
                + "\",\"direction\":\"outbound-api\",\"error_code\":null,\"error_message\":null,\"from\":"
                + quote(s.from()) + ",\"messaging_service_sid\":null,\"num_media\":\"0\",\"num_segments\":\"1\","
                + "\"price\":null,\"price_unit\":\"USD\",\"sid\":\"" + s.sid() + "\",\"status\":\"queued\","
                + "\"subresource_uris\":{\"media\":\"/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages/" + s.sid()
                + "/Media.json\"},\"to\":" + quote(s.to()) + ",\"uri\":\"/2010-04-01/Accounts/" + ACCOUNT_SID
                + "/Messages/" + s.sid() + ".json\"}";
    }

    private static String quote(String s) {
        return s == null ? "null" : com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }

    private final class Answers implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            TwilioError error = script.take();
            Duration delay = script.delay();
            return answer(record(event.getRequest().getBody(), error), delay);
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return transformer;
        }
    }
}
