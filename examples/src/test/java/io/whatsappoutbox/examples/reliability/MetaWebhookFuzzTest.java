package io.whatsappoutbox.examples.reliability;

import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.PHONE_ID_A;
import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.PHONE_ID_B;
import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.SECRET_A;
import static io.whatsappoutbox.examples.reliability.WebhookFuzzFixture.SECRET_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.meta.MetaWebhookHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Meta's webhook handler with the real store behind it, fed random and mutated real payloads,
 * invalid UTF-8, deep nesting, huge bodies and wrong content types, validly and invalidly signed.
 */
class MetaWebhookFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<Object> NASTY = List.of("", " ", "x' OR '1'='1", "1); DROP TABLE outbound_message; --",
            "<script>alert(1)</script>", "\u0000", "\uD83D\uDE00", "é".repeat(5000), "9".repeat(400), -1, 0,
            Long.MAX_VALUE, 1.5e300, true, "null", "{}", "[]");
    static WebhookFuzzFixture f;
    static MetaWebhookHandler handler;
    static byte[] base;

    @BeforeContainer
    static void start() {
        f = new WebhookFuzzFixture("webhook-fuzz-meta");
        handler = MetaWebhookHandler.builder().secrets(f.outbox.providerConfigs().webhookSecrets())
                .accounts(f.outbox.providerConfigs()).sink(f.sink()).build();
        List<String> wamids = f.wamids();
        long ts = System.currentTimeMillis() / 1000 - 60;
        base = MetaPayloads.envelope(MetaPayloads.entry(
                MetaPayloads.change(PHONE_ID_A, MetaPayloads.statuses(List.of(
                        MetaPayloads.status(wamids.get(0), "delivered", ts, "33600000000"),
                        MetaPayloads.status(wamids.get(1), "read", ts, "33600000001"),
                        MetaPayloads.failedStatus(wamids.get(2), ts, "33600000002", 131026, "Message undeliverable")))),
                MetaPayloads.change(PHONE_ID_A, MetaPayloads.messages("33600000003", "wamid.in.fuzz", ts, "Bonjour \\u00e9")),
                MetaPayloads.change("999999999999999", MetaPayloads.statuses(List.of(
                        MetaPayloads.status("wamid.elsewhere", "sent", ts, "33600000004"))))))
                .getBytes(StandardCharsets.UTF_8);
    }

    @AfterContainer
    static void stop() {
        LibraryLog.awaitLogged("Invalid webhook signature from Meta");
        f.close();
    }

    enum Signing { VALID, MISSING, RANDOM_HEX, OF_THE_UNMUTATED_BODY, WRONG_SECRET, TRUNCATED, SHA1_PREFIX }

    record Case(String shape, byte[] body, Signing signing, String contentType) {
        @Override
        public String toString() {
            String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
            return shape + "/" + signing + "/" + contentType + "/" + body.length + " bytes: " + text;
        }
    }

    record Shaped(String shape, byte[] body) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Shaped> bodies = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, byteMutated()),
                net.jqwik.api.Tuple.of(4, jsonMutated()),
                net.jqwik.api.Tuple.of(1, deepNesting()),
                net.jqwik.api.Tuple.of(1, invalidUtf8()),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(3000)
                        .map(b -> new Shaped("random-bytes", b))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Shaped("unmutated", base))));
        // half validly signed, so that most bodies get past the signature to the parser and the store
        Arbitrary<Signing> signings = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, Arbitraries.just(Signing.VALID)),
                net.jqwik.api.Tuple.of(6, Arbitraries.of(Signing.class).filter(s -> s != Signing.VALID)));
        return Combinators.combine(bodies, signings,
                Arbitraries.of("application/json", "text/plain", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "application/json; charset=latin1", ""))
                .as((b, s, ct) -> new Case(b.shape(), b.body(), s, ct));
    }

    Arbitrary<Shaped> byteMutated() {
        return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers()
                .between(0, 3), Arbitraries.bytes()).as((at, kind, value) -> new int[] {at, kind, value})
                .list().ofMinSize(1).ofMaxSize(6).map(edits -> {
                    byte[] b = base;
                    for (int[] e : edits) {
                        b = edit(b, e[0] % Math.max(1, b.length), e[1], (byte) e[2]);
                    }
                    return new Shaped("byte-mutated", b);
                });
    }

    static byte[] edit(byte[] b, int at, int kind, byte value) {
        if (b.length == 0) {
            return new byte[] {value};
        }
        return switch (kind) {
            case 0 -> {
                byte[] c = b.clone();
                c[at] = value;
                yield c;
            }
            case 1 -> concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, Math.min(b.length, at + 1), b.length));
            case 2 -> concat(Arrays.copyOfRange(b, 0, at), concat(new byte[] {value}, Arrays.copyOfRange(b, at, b.length)));
            default -> Arrays.copyOfRange(b, 0, at);
        };
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Meta's real shape with one to three values replaced by hostile ones, anywhere in the tree. */
    Arbitrary<Shaped> jsonMutated() {
        return Combinators.combine(Arbitraries.integers().between(0, 10_000), Arbitraries.of(NASTY))
                .as((at, value) -> new Object[] {at, value}).list().ofMinSize(1).ofMaxSize(3).map(edits -> {
                    try {
                        JsonNode tree = JSON.readTree(base);
                        for (Object[] e : edits) {
                            List<JsonNode> containers = new ArrayList<>();
                            collect(tree, containers);
                            JsonNode target = containers.get((Integer) e[0] % containers.size());
                            JsonNode value = JSON.valueToTree(e[1]);
                            if (target instanceof ObjectNode o) {
                                List<String> names = new ArrayList<>();
                                o.fieldNames().forEachRemaining(names::add);
                                o.set(names.get((Integer) e[0] % names.size()), value);
                            } else {
                                ((ArrayNode) target).set((Integer) e[0] % target.size(), value);
                            }
                        }
                        return new Shaped("json-mutated", JSON.writeValueAsBytes(tree));
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                });
    }

    static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode() && n.size() > 0) {
            out.add(n);
            n.elements().forEachRemaining(c -> collect(c, out));
        }
    }

    Arbitrary<Shaped> deepNesting() {
        return Combinators.combine(Arbitraries.of(50, 999, 1001, 5_000, 100_000), Arbitraries.of(true, false))
                .as((depth, arrays) -> {
                    String open = arrays ? "[" : "{\"a\":";
                    String close = arrays ? "]" : "}";
                    String body = "{\"object\":\"whatsapp_business_account\",\"entry\":" + open.repeat(depth) + "1"
                            + close.repeat(depth) + "}";
                    return new Shaped("deep-nesting-" + depth, body.getBytes(StandardCharsets.UTF_8));
                });
    }

    Arbitrary<Shaped> invalidUtf8() {
        return Combinators.combine(Arbitraries.integers().between(0, base.length - 1),
                Arbitraries.of(new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xff}, new byte[] {(byte) 0xed,
                    (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80}))
                .as((at, bad) -> new Shaped("invalid-utf8", concat(Arrays.copyOfRange(base, 0, at),
                        concat(bad, Arrays.copyOfRange(base, at, base.length)))));
    }

    static String header(Signing s, byte[] body) {
        return switch (s) {
            case VALID -> MetaPayloads.signature(SECRET_A, body);
            case MISSING -> null;
            case RANDOM_HEX -> "sha256=" + HexFormat.of().formatHex(java.util.UUID.randomUUID().toString()
                    .repeat(2).getBytes(StandardCharsets.UTF_8), 0, 32);
            case OF_THE_UNMUTATED_BODY -> MetaPayloads.signature(SECRET_A, base);
            case WRONG_SECRET -> MetaPayloads.signature(Secret.of("app-secret-guessed"), body);
            case TRUNCATED -> MetaPayloads.signature(SECRET_A, body).substring(0, 40);
            case SHA1_PREFIX -> MetaPayloads.signature(SECRET_A, body).replace("sha256=", "sha1=");
        };
    }

    @Property(tries = 1000)
    void neverA5xxNeverAWriteOnRefusalNeverAForgery(@ForAll("cases") Case c) {
        boolean forged = c.signing() != Signing.VALID
                && !(c.signing() == Signing.OF_THE_UNMUTATED_BODY && Arrays.equals(c.body(), base));
        f.check("meta", handler::handle, MetaPayloads.post(c.body(), header(c.signing(), c.body()), c.contentType()),
                forged);
    }

    @Example
    void anotherOrgsValidSignatureCannotSpeakForThisOrg() {
        WebhookResponse r = f.check("meta", handler::handle,
                MetaPayloads.post(base, MetaPayloads.signature(SECRET_B, base), "application/json"), true);
        assertThat(r.status()).isEqualTo(401);
        byte[] routedToB = new String(base, StandardCharsets.UTF_8).replace(PHONE_ID_A, PHONE_ID_B)
                .getBytes(StandardCharsets.UTF_8);
        assertThat(f.check("meta", handler::handle, MetaPayloads.post(routedToB, MetaPayloads.signature(SECRET_A,
                routedToB), "application/json"), true).status()).isEqualTo(401);
    }

    /** Found by this fuzz test: PostgreSQL cannot store a NUL, which made the store fail with a 500. */
    @Example
    void aNulCharacterInAnIdOrATextIsRefusedAsMalformedNotAStoreFailure() {
        long ts = System.currentTimeMillis() / 1000;
        for (String value : List.of(MetaPayloads.statuses(List.of(MetaPayloads.status("wamid.\\u0000x", "read", ts,
                "33600000005"))), MetaPayloads.messages("33600000006", "wamid.in.nul", ts, "Bon\\u0000jour"))) {
            byte[] body = MetaPayloads.envelope(MetaPayloads.entry(MetaPayloads.change(PHONE_ID_A, value)))
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(f.check("meta", handler::handle, MetaPayloads.post(body, MetaPayloads.signature(SECRET_A, body),
                    "application/json"), false).status()).isEqualTo(400);
        }
    }

    @Example
    void aBodyOverTheLimitIs413UnreadAndUnwritten() {
        byte[] huge = new byte[4 * 1024 * 1024 + 1];
        Arrays.fill(huge, (byte) ' ');
        assertThat(f.check("meta", handler::handle, MetaPayloads.post(huge, MetaPayloads.signature(SECRET_A, huge),
                "application/json"), false).status()).isEqualTo(413);
    }

    @Example
    void aStoreThatFailsAtCommitAnswers500WritesNothingAndTheRedeliveryApplies() {
        try (JdbcOutbox broken = JdbcOutbox.builder().dataSource(new FailingCommits(f.ds)).build()) {
            Dispatcher brokenDispatcher = broken.dispatcher().provider(io.whatsappoutbox.core.Channel.WHATSAPP,
                    ScriptedProvider.whatsapp()).build();
            MetaWebhookHandler failing = MetaWebhookHandler.builder().secrets(f.outbox.providerConfigs().webhookSecrets())
                    .accounts(f.outbox.providerConfigs()).sink(brokenDispatcher.webhooks()).build();
            long ts = System.currentTimeMillis() / 1000;
            String wamid = f.wamids().get(20);
            byte[] body = MetaPayloads.envelope(MetaPayloads.entry(MetaPayloads.change(PHONE_ID_A, MetaPayloads.statuses(
                    List.of(MetaPayloads.status(wamid, "read", ts, "33600000020")))))).getBytes(StandardCharsets.UTF_8);
            TableSnapshot before = TableSnapshot.of(f.sql);
            WebhookResponse r = failing.handle(MetaPayloads.post(body, MetaPayloads.signature(SECRET_A, body),
                    "application/json"));
            assertThat(r.status()).isEqualTo(500);
            assertThat(TableSnapshot.of(f.sql)).isEqualTo(before);
            f.figures.add("meta.storeFailures500WithoutWrite", 1);
            // Meta delivers again after a 500: the batch was not half-recorded as seen
            assertThat(handler.handle(MetaPayloads.post(body, MetaPayloads.signature(SECRET_A, body), "application/json"))
                    .status()).isEqualTo(200);
            assertThat(f.sql.one("SELECT status FROM outbound_message WHERE provider_message_id = ?", wamid)).isEqualTo("READ");
            brokenDispatcher.close();
        }
    }
}
