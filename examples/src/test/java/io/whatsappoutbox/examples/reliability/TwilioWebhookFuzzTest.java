package io.whatsappoutbox.examples.reliability;

import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.CALLBACK_URL;
import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.TWILIO_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import io.whatsappoutbox.sms.internal.FormDecoder;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.MalformedFormException;
import io.whatsappoutbox.sms.internal.TwilioSignature;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Twilio's status callback handler with the real store behind it, fed real-shaped and hostile
 * forms, broken escapes, invalid UTF-8, huge bodies, other methods and content types, validly and
 * invalidly signed.
 */
class TwilioWebhookFuzzTest {
    static final List<String> STATUSES = List.of("delivered", "undelivered", "failed", "sent", "queued", "read",
            "canceled", "DELIVERED", "", "x' OR '1'='1");
    static final List<String> HOSTILE = List.of("", " ", "x' OR '1'='1", "1); DROP TABLE outbound_message; --",
            "<script>alert(1)</script>", "\u0000", "\uD83D\uDE00", "é".repeat(3000), "%", "&&&", "==", "+");
    static WebhookFuzzFixture f;
    static TwilioStatusCallbackHandler handler;
    static List<String> sids;

    @BeforeContainer
    static void start() {
        f = new WebhookFuzzFixture("webhook-fuzz-twilio");
        handler = TwilioStatusCallbackHandler.builder().authToken(TWILIO_TOKEN).publicUrl(CALLBACK_URL).sink(f.sink())
                .build();
        sids = f.sids();
    }

    @AfterContainer
    static void stop() {
        LibraryLog.awaitLogged("Twilio status callback refused");
        f.close();
    }

    enum Signing { VALID, MISSING, RANDOM, WRONG_TOKEN, OF_OTHER_PARAMS, FOR_ANOTHER_URL }

    record Case(String shape, String method, byte[] body, Signing signing, String contentType) {
        @Override
        public String toString() {
            return shape + "/" + method + "/" + signing + "/" + contentType + "/" + body.length + " bytes: "
                    + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
    }

    static byte[] encode(List<String[]> params) {
        return params.stream().map(p -> URLEncoder.encode(p[0], StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(p[1], StandardCharsets.UTF_8)).collect(Collectors.joining("&"))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A callback as Twilio posts it, for one of org A's messages or an unknown sid. */
    Arbitrary<List<String[]>> realShaped() {
        // the fuzz touches the first 30 messages; the examples keep the last ones for themselves
        return Combinators.combine(Arbitraries.integers().between(0, 30), Arbitraries.of(STATUSES),
                Arbitraries.of("", "30003", "30006", "21610", "abc", "9".repeat(30))).as((i, status, code) -> {
                    String sid = i == 30 ? "SM" + "0".repeat(32) : sids.get(i);
                    List<String[]> p = new ArrayList<>(List.of(new String[] {"MessageSid", sid}, new String[] {"SmsSid", sid},
                            new String[] {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
                            new String[] {"MessageStatus", status}, new String[] {"SmsStatus", status},
                            new String[] {"ApiVersion", "2010-04-01"}));
                    if (!code.isEmpty()) {
                        p.add(new String[] {"ErrorCode", code});
                    }
                    return p;
                });
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Tuple.Tuple2<String, byte[]>> bodies = Arbitraries.frequencyOf(
                Tuple.of(4, realShaped().map(p -> Tuple.of("real-shaped", encode(p)))),
                Tuple.of(3, Combinators.combine(realShaped(), Arbitraries.integers().between(0, 7), Arbitraries.of(HOSTILE),
                        Arbitraries.strings().ofMaxLength(30)).as((p, at, v, name) -> {
                            List<String[]> q = new ArrayList<>(p);
                            if (at < q.size()) {
                                q.set(at, new String[] {q.get(at)[0], v});
                            } else {
                                q.add(new String[] {name, v});
                            }
                            return Tuple.of("hostile-values", encode(q));
                        })),
                Tuple.of(2, Combinators.combine(realShaped(), Arbitraries.integers().between(0, 400),
                        Arbitraries.of("%", "%zz", "%C3%28", "%FF", "%ED%A0%80", "\u00ff", "&=&", "%00"))
                        .as((p, at, bad) -> {
                            byte[] b = encode(p);
                            int i = Math.min(at, b.length);
                            byte[] out = MetaWebhookFuzzTest.concat(Arrays.copyOfRange(b, 0, i), MetaWebhookFuzzTest.concat(
                                    bad.getBytes(StandardCharsets.ISO_8859_1), Arrays.copyOfRange(b, i, b.length)));
                            return Tuple.of("broken-escape", out);
                        })),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(2000).map(b -> Tuple.of("random-bytes", b))),
                Tuple.of(1, Arbitraries.just(Tuple.of("json-body",
                        "{\"MessageSid\":\"SM1\",\"MessageStatus\":\"delivered\"}".getBytes(StandardCharsets.UTF_8)))));
        Arbitrary<Signing> signings = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just(Signing.VALID)),
                Tuple.of(5, Arbitraries.of(Signing.class).filter(s -> s != Signing.VALID)));
        return Combinators.combine(bodies, signings, Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.just("POST")),
                Tuple.of(1, Arbitraries.of("GET", "PUT", "DELETE"))),
                Arbitraries.of("application/x-www-form-urlencoded", "application/json", "text/plain", ""))
                .as((b, s, m, ct) -> new Case(b.get1(), m, b.get2(), s, ct));
    }

    static String signature(Signing s, byte[] body) {
        List<FormParam> params;
        try {
            params = FormDecoder.decode(body);
        } catch (MalformedFormException e) {
            params = List.of(); // the handler refuses it as a form before looking at the signature
        }
        return switch (s) {
            case VALID -> TwilioSignature.compute(TWILIO_TOKEN, CALLBACK_URL, params);
            case MISSING -> null;
            case RANDOM -> "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==";
            case WRONG_TOKEN -> TwilioSignature.compute(Secret.of("0123456789abcdef0123456789abcdef"), CALLBACK_URL, params);
            case OF_OTHER_PARAMS -> TwilioSignature.compute(TWILIO_TOKEN, CALLBACK_URL,
                    List.of(new FormParam("MessageSid", sids.get(0)), new FormParam("MessageStatus", "delivered")));
            case FOR_ANOTHER_URL -> TwilioSignature.compute(TWILIO_TOKEN, "https://evil.example.com/webhooks/sms/status",
                    params);
        };
    }

    static WebhookRequest request(String method, byte[] body, String signature, String contentType) {
        Map<String, List<String>> headers = signature == null ? Map.of("Content-Type", List.of(contentType))
                : Map.of("Content-Type", List.of(contentType), "X-Twilio-Signature", List.of(signature));
        return new WebhookRequest(method, CALLBACK_URL, Map.of(), headers, body);
    }

    @Property(tries = 1000)
    void neverA5xxNeverAWriteOnRefusalNeverAForgery(@ForAll("cases") Case c) {
        boolean forged = c.signing() != Signing.VALID && !(c.signing() == Signing.OF_OTHER_PARAMS
                && c.body().length == 0);
        f.check("twilio", handler::handle, request(c.method(), c.body(), signature(c.signing(), c.body()),
                c.contentType()), forged);
    }

    /** Found by the Meta fuzz test: PostgreSQL cannot store a NUL, which made the store fail with a 500. */
    @Example
    void aNulCharacterInTheSidOrErrorCodeIsRefusedAsMalformedNotAStoreFailure() {
        for (List<String[]> params : List.of(
                List.of(new String[] {"MessageSid", "SM\u0000" + "1".repeat(31)}, new String[] {"MessageStatus", "delivered"}),
                List.of(new String[] {"MessageSid", sids.get(1)}, new String[] {"MessageStatus", "failed"},
                        new String[] {"ErrorCode", "300\u000003"}))) {
            byte[] body = encode(params);
            assertThat(f.check("twilio", handler::handle, request("POST", body, signature(Signing.VALID, body),
                    "application/x-www-form-urlencoded"), false).status()).isEqualTo(400);
        }
    }

    @Example
    void aBodyOverTheLimitIs413AndUnwritten() {
        byte[] huge = encode(List.of(new String[] {"MessageSid", sids.get(0)}, new String[] {"MessageStatus", "delivered"},
                new String[] {"Pad", "x".repeat(70 * 1024)}));
        assertThat(f.check("twilio", handler::handle, request("POST", huge, signature(Signing.VALID, huge),
                "application/x-www-form-urlencoded"), false).status()).isEqualTo(413);
    }

    @Example
    void aStoreThatFailsAtCommitAnswers500WritesNothingAndTheRedeliveryApplies() {
        try (JdbcOutbox broken = JdbcOutbox.builder().dataSource(new FailingCommits(f.ds)).build()) {
            Dispatcher brokenDispatcher = broken.dispatcher().provider(io.whatsappoutbox.core.Channel.SMS,
                    ScriptedProvider.sms()).build();
            TwilioStatusCallbackHandler failing = TwilioStatusCallbackHandler.builder().authToken(TWILIO_TOKEN)
                    .publicUrl(CALLBACK_URL).sink(brokenDispatcher.webhooks()).build();
            String sid = sids.get(sids.size() - 1);
            byte[] body = encode(List.of(new String[] {"MessageSid", sid}, new String[] {"MessageStatus", "delivered"}));
            WebhookRequest delivered = request("POST", body, signature(Signing.VALID, body),
                    "application/x-www-form-urlencoded");
            TableSnapshot before = TableSnapshot.of(f.sql);
            assertThat(failing.handle(delivered).status()).isEqualTo(500);
            assertThat(TableSnapshot.of(f.sql)).isEqualTo(before);
            f.figures.add("twilio.storeFailures500WithoutWrite", 1);
            // Twilio retries: the second delivery is applied, not taken for a duplicate
            assertThat(handler.handle(delivered).status()).isEqualTo(200);
            assertThat(f.sql.one("SELECT status FROM outbound_message WHERE provider_message_id = ?", sid))
                    .isEqualTo("DELIVERED");
            brokenDispatcher.close();
        }
    }
}
