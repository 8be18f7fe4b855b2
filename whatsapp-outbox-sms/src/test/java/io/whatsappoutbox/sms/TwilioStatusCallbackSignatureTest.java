package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.testing.MutableClock;
import static io.whatsappoutbox.sms.TwilioForms.encode;
import static io.whatsappoutbox.sms.TwilioForms.p;
import static io.whatsappoutbox.sms.TwilioForms.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.spi.WebhookSecrets.Candidate;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which signatures let a callback through. A request that passes the signature check but lacks a
 * MessageSid is answered 400, one that fails it 401: the published vectors (which carry no
 * MessageSid) are checked that way.
 */
class TwilioStatusCallbackSignatureTest {
    // Twilio's published example (twilio-java/-python/-php RequestValidator tests, security docs).
    static final String DOC_TOKEN = "12345";
    static final String DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
    static final List<Map.Entry<String, String>> DOC_PARAMS = List.of(p("CallSid", "CA1234567890ABCDE"),
            p("Caller", "+14158675309"), p("Digits", "1234"), p("From", "+14158675309"), p("To", "+18005551212"));
    static final String DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

    static final String TOKEN = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final String URL = "https://hooks.example.com/twilio/status";
    static final String SID = "SM00000000000000000000000000000001";
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    final List<WebhookBatch> batches = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(NOW);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    TwilioStatusCallbackHandler.Builder builder() {
        return TwilioStatusCallbackHandler.builder().sink(batch -> {
            batches.add(batch);
            return WebhookResult.EMPTY;
        }).meterRegistry(meters).clock(clock);
    }

    static WebhookRequest post(String url, byte[] body, String signature) {
        return new WebhookRequest("POST", url, Map.of(), Map.of("X-Twilio-Signature", List.of(signature)), body);
    }

    static List<Map.Entry<String, String>> delivered(String... extra) {
        List<Map.Entry<String, String>> params = new ArrayList<>(
                List.of(p("MessageSid", SID), p("MessageStatus", "delivered"), p("To", "+33612345678")));
        for (int i = 0; i < extra.length; i += 2) {
            params.add(p(extra[i], extra[i + 1]));
        }
        return params;
    }

    int status(TwilioStatusCallbackHandler h, String url, List<Map.Entry<String, String>> params, String signature) {
        return h.handle(post(url, encode(params), signature)).status();
    }

    double failures() {
        var c = meters.find(TwilioStatusCallbackHandler.SIGNATURE_FAILURES_METRIC).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void the_independent_signer_reproduces_twilio_published_vector() {
        assertThat(sign(DOC_TOKEN, DOC_URL, DOC_PARAMS)).isEqualTo(DOC_SIGNATURE);
    }

    @Test
    void twilio_published_vector_passes_the_signature_check() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(DOC_TOKEN)).publicUrl(DOC_URL).build();
        assertThat(status(h, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).isEqualTo(400);
        assertThat(failures()).isZero();
    }

    @Test
    void twilio_published_vector_fails_with_any_input_changed() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(DOC_TOKEN)).publicUrl(DOC_URL).build();
        List<Map.Entry<String, String>> tampered = new ArrayList<>(DOC_PARAMS);
        tampered.set(2, p("Digits", "9999"));
        assertThat(status(h, DOC_URL, tampered, DOC_SIGNATURE)).isEqualTo(401);
        TwilioStatusCallbackHandler otherUrl = builder().authToken(Secret.of(DOC_TOKEN))
                .publicUrl(DOC_URL + "&baz=3").build();
        assertThat(status(otherUrl, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).isEqualTo(401);
        TwilioStatusCallbackHandler otherToken = builder().authToken(Secret.of("12346")).publicUrl(DOC_URL).build();
        assertThat(status(otherToken, DOC_URL, DOC_PARAMS, DOC_SIGNATURE)).isEqualTo(401);
        assertThat(status(h, DOC_URL, DOC_PARAMS, "NOT" + DOC_SIGNATURE)).isEqualTo(401);
        assertThat(failures()).isEqualTo(4);
    }

    @Test
    void twilio_published_repeated_name_vector_passes() {
        // Twilio's SDKs sign a repeated name's values sorted, each identical pair once.
        List<Map.Entry<String, String>> params = List.of(p("Sid", "CA123"), p("SidAccount", "AC123"),
                p("Digits", "5678"), p("Digits", "1234"), p("Digits", "1234"));
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(DOC_TOKEN)).publicUrl(DOC_URL).build();
        assertThat(status(h, DOC_URL, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU=")).isEqualTo(400);
        // ...and every pair kept, sorted by name then value.
        assertThat(status(h, DOC_URL, params, sign(DOC_TOKEN, DOC_URL, params))).isEqualTo(400);
        // Arrival order is not Twilio's order.
        String arrivalOrder = TwilioForms.hmacSha1(DOC_TOKEN, DOC_URL + "Sid" + "CA123" + "SidAccount" + "AC123"
                + "Digits5678Digits1234Digits1234");
        assertThat(status(h, DOC_URL, params, arrivalOrder)).isEqualTo(401);
    }

    @Test
    void a_callback_signed_with_the_token_is_passed_on() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(status(h, URL, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(200);
        assertThat(batches).hasSize(1);
    }

    @Test
    void a_callback_signed_with_another_token_is_refused() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(status(h, URL, delivered(), sign("ffffffffffffffffffffffffffffffff", URL, delivered())))
                .isEqualTo(401);
        assertThat(batches).isEmpty();
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void a_tampered_parameter_is_refused() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        String signature = sign(TOKEN, URL, delivered());
        List<Map.Entry<String, String>> tampered = new ArrayList<>(delivered());
        tampered.set(1, p("MessageStatus", "failed"));
        assertThat(status(h, URL, tampered, signature)).isEqualTo(401);
        assertThat(status(h, URL, delivered("Extra", "1"), signature)).isEqualTo(401);
        assertThat(status(h, URL, delivered().subList(0, 2), signature)).isEqualTo(401);
        assertThat(batches).isEmpty();
    }

    @Test
    void a_signature_for_another_url_is_refused() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(status(h, URL, delivered(), sign(TOKEN, URL + "?tenant=other", delivered()))).isEqualTo(401);
        assertThat(status(h, URL, delivered(), sign(TOKEN, "http://hooks.example.com/twilio/status", delivered())))
                .isEqualTo(401);
        assertThat(status(h, URL, delivered(), sign(TOKEN, URL + "/", delivered()))).isEqualTo(401);
    }

    @Test
    void unicode_values_are_signed_as_decoded_utf8() {
        List<Map.Entry<String, String>> params = delivered("Body", "Grüß Gott – 東京 😀", "Note", "a+b c%d&e=f");
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(status(h, URL, params, sign(TOKEN, URL, params))).isEqualTo(200);
    }

    @Test
    void plus_is_a_space_and_percent_2b_is_a_plus() {
        byte[] body = ("MessageSid=" + SID + "&MessageStatus=delivered&From=%2B15017122661&Body=hello+world")
                .getBytes(StandardCharsets.US_ASCII);
        String signature = TwilioForms.hmacSha1(TOKEN, URL + "Bodyhello worldFrom+15017122661MessageSid" + SID
                + "MessageStatusdelivered");
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(h.handle(post(URL, body, signature)).status()).isEqualTo(200);
    }

    @Test
    void without_public_url_the_request_url_is_what_is_signed() {
        String internal = "http://10.0.0.12:8080/twilio/status";
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).build();
        assertThat(status(h, URL, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(200);
        assertThat(status(h, internal, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(401);
    }

    @Test
    void the_public_url_wins_over_the_url_seen_behind_a_proxy() {
        String internal = "http://10.0.0.12:8080/twilio/status";
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        assertThat(status(h, internal, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(200);
        assertThat(status(h, internal, delivered(), sign(TOKEN, internal, delivered()))).isEqualTo(401);
    }

    @Test
    void no_url_at_all_cannot_be_verified() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).build();
        assertThat(status(h, null, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(401);
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void the_url_may_be_signed_with_or_without_its_default_port() {
        TwilioStatusCallbackHandler h = builder().authToken(Secret.of(TOKEN)).publicUrl(URL).build();
        String withPort = "https://hooks.example.com:443/twilio/status";
        assertThat(status(h, URL, delivered(), sign(TOKEN, withPort, delivered()))).isEqualTo(200);
        TwilioStatusCallbackHandler configuredWithPort = builder().authToken(Secret.of(TOKEN)).publicUrl(withPort)
                .build();
        assertThat(status(configuredWithPort, URL, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(200);
        assertThat(status(h, URL, delivered(), sign(TOKEN, "https://hooks.example.com:8443/twilio/status",
                delivered()))).isEqualTo(401);
    }

    @Test
    void during_a_rotation_the_previous_token_is_valid_until_its_end() {
        Secret current = Secret.of("11111111111111111111111111111111");
        Secret previous = Secret.of("22222222222222222222222222222222");
        Instant overlapEnd = NOW.plus(Duration.ofHours(1));
        WebhookSecrets rotating = now -> List.of(new Candidate(null, current, null),
                new Candidate(null, previous, overlapEnd));
        TwilioStatusCallbackHandler h = builder().secrets(rotating).publicUrl(URL).build();
        String byPrevious = sign(previous.reveal(), URL, delivered());
        String byCurrent = sign(current.reveal(), URL, delivered());

        assertThat(status(h, URL, delivered(), byPrevious)).isEqualTo(200);
        assertThat(status(h, URL, delivered(), byCurrent)).isEqualTo(200);
        clock.advance(Duration.ofMinutes(59));
        assertThat(status(h, URL, delivered(), byPrevious)).isEqualTo(200);
        clock.advance(Duration.ofMinutes(1));
        assertThat(status(h, URL, delivered(), byPrevious)).isEqualTo(401);
        assertThat(status(h, URL, delivered(), byCurrent)).isEqualTo(200);
    }

    @Test
    void a_token_rotated_a_moment_ago_is_found_by_one_refresh() {
        Secret old = Secret.of("33333333333333333333333333333333");
        Secret rotated = Secret.of("44444444444444444444444444444444");
        AtomicInteger refreshes = new AtomicInteger();
        WebhookSecrets cached = new WebhookSecrets() {
            @Override
            public List<Candidate> candidates(Instant now) {
                return List.of(new Candidate("org-1", old, null));
            }

            @Override
            public List<Candidate> refresh(Instant now) {
                refreshes.incrementAndGet();
                return List.of(new Candidate("org-1", rotated, null));
            }
        };
        TwilioStatusCallbackHandler h = builder().secrets(cached).publicUrl(URL).build();

        assertThat(status(h, URL, delivered(), sign(old.reveal(), URL, delivered()))).isEqualTo(200);
        assertThat(refreshes).hasValue(0);
        assertThat(status(h, URL, delivered(), sign(rotated.reveal(), URL, delivered()))).isEqualTo(200);
        assertThat(refreshes).hasValue(1);
        assertThat(status(h, URL, delivered(), sign("55555555555555555555555555555555", URL, delivered())))
                .isEqualTo(401);
        assertThat(refreshes).hasValue(2);
    }

    @Test
    void a_candidate_already_expired_is_not_accepted_even_if_the_store_returns_it() {
        Secret expired = Secret.of("66666666666666666666666666666666");
        WebhookSecrets sloppy = now -> List.of(new Candidate(null, expired, NOW.minusSeconds(1)));
        TwilioStatusCallbackHandler h = builder().secrets(sloppy).publicUrl(URL).build();
        assertThat(status(h, URL, delivered(), sign(expired.reveal(), URL, delivered()))).isEqualTo(401);
    }

    @Test
    void secrets_that_cannot_be_read_are_a_500_not_a_refusal() {
        WebhookSecrets broken = now -> {
            throw new IllegalStateException("secret store unavailable");
        };
        TwilioStatusCallbackHandler h = builder().secrets(broken).publicUrl(URL).build();
        assertThat(status(h, URL, delivered(), sign(TOKEN, URL, delivered()))).isEqualTo(500);
        assertThat(batches).isEmpty();
        assertThat(failures()).isZero();
    }
}
