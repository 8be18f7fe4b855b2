package io.whatsappoutbox.meta;

import static io.whatsappoutbox.meta.Webhooks.APP_SECRET;
import static io.whatsappoutbox.meta.Webhooks.IN_WAMID;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_1;
import static io.whatsappoutbox.meta.Webhooks.PHONE_ID_2;
import static io.whatsappoutbox.meta.Webhooks.WAMID;
import static io.whatsappoutbox.meta.Webhooks.change;
import static io.whatsappoutbox.meta.Webhooks.entry;
import static io.whatsappoutbox.meta.Webhooks.envelope;
import static io.whatsappoutbox.meta.Webhooks.failedStatus;
import static io.whatsappoutbox.meta.Webhooks.messages;
import static io.whatsappoutbox.meta.Webhooks.status;
import static io.whatsappoutbox.meta.Webhooks.statuses;
import static io.whatsappoutbox.meta.Webhooks.textMessage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a signed body holds, the handler answers 200 or 400, never 5xx, and the sink gets all
 * of it or nothing; whatever an unsigned body holds, the sink never sees it.
 */
class MetaWebhookProperties {
    static final String TS = "1749416383";
    static final String BASE = envelope(
            entry("102290129340398",
                    change(PHONE_ID_1, statuses(status(WAMID, "delivered", TS), status(WAMID, "read", TS),
                            failedStatus("wamid.f", TS, 131026, "Message undeliverable", "Not on WhatsApp")) + ","
                            + messages("33612345678", textMessage("33612345678", IN_WAMID, TS, "Bonjour \\u00e9"),
                                    "{\"from\":\"33612345678\",\"id\":\"wamid.b\",\"timestamp\":\"" + TS + "\",\"type\":"
                                            + "\"button\",\"button\":{\"payload\":\"p\",\"text\":\"t\"},\"context\":{\"id\":\"c\"}}")),
                    "{\"field\":\"account_update\",\"value\":{\"event\":\"x\"}}"),
            entry("202290129340399",
                    change(PHONE_ID_2, messages("33698765432", "{\"from\":\"33698765432\",\"id\":\"wamid.i\",\"timestamp\":\""
                            + TS + "\",\"type\":\"interactive\",\"interactive\":{\"type\":\"button_reply\","
                            + "\"button_reply\":{\"id\":\"yes\",\"title\":\"Oui\"}}}")),
                    change("999999999999999", statuses(status("wamid.x", "sent", TS)))));
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** One handler for every try (tries run one after the other); the sink is emptied per try. */
    static final RecordingSink SINK = new RecordingSink();
    static final MetaWebhookHandler HANDLER = Webhooks.handler(SINK).build();

    private static RecordingSink emptySink() {
        SINK.batches.clear();
        return SINK;
    }

    private static void assertAllOrNothing(WebhookResponse r, RecordingSink sink) throws Exception {
        Statistics.collect(r.status());
        assertThat(r.status()).isIn(200, 400);
        if (r.status() == 400) {
            assertThat(sink.batches).isEmpty();
            assertThat(MAPPER.readTree(r.body()).get("error").asText()).isNotBlank();
        } else {
            int received = MAPPER.readTree(r.body()).get("received").asInt();
            int delivered = sink.batches.stream().mapToInt(b -> b.receipts().size() + b.inbound().size() + b.events().size()).sum();
            assertThat(sink.batches).hasSizeLessThanOrEqualTo(1);
            assertThat(delivered).isEqualTo(received);
            sink.batches.stream().map(WebhookBatch::source).forEach(s -> assertThat(s).isEqualTo("meta"));
        }
    }

    @Example
    void baseBodyIsAcceptedWhole() throws Exception {
        RecordingSink sink = emptySink();
        WebhookResponse r = HANDLER.handle(Webhooks.signed(BASE));

        assertThat(r.status()).isEqualTo(200);
        assertThat(sink.only().receipts()).hasSize(3);
        assertThat(sink.only().inbound()).hasSize(3);
    }

    /** One byte-level edit: flip, delete, insert or cut. */
    record ByteEdit(int position, int kind, byte value) {}

    @Provide
    Arbitrary<List<ByteEdit>> byteEdits() {
        return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 3),
                Arbitraries.bytes()).as(ByteEdit::new).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 1000)
    void byteMutatedSignedBodiesGive200Or400AndAllOrNothing(@ForAll("byteEdits") List<ByteEdit> edits)
            throws Exception {
        byte[] body = BASE.getBytes(StandardCharsets.UTF_8);
        for (ByteEdit e : edits) {
            body = apply(body, e);
        }
        RecordingSink sink = emptySink();

        assertAllOrNothing(HANDLER.handle(Webhooks.signed(APP_SECRET, body)), sink);
    }

    private static byte[] apply(byte[] body, ByteEdit e) {
        if (body.length == 0) {
            return new byte[] {e.value()};
        }
        int at = e.position() % body.length;
        switch (e.kind()) {
            case 0:
                byte[] flipped = body.clone();
                flipped[at] = e.value();
                return flipped;
            case 1:
                byte[] shorter = new byte[body.length - 1];
                System.arraycopy(body, 0, shorter, 0, at);
                System.arraycopy(body, at + 1, shorter, at, body.length - at - 1);
                return shorter;
            case 2:
                byte[] longer = new byte[body.length + 1];
                System.arraycopy(body, 0, longer, 0, at);
                longer[at] = e.value();
                System.arraycopy(body, at, longer, at + 1, body.length - at);
                return longer;
            default:
                return Arrays.copyOf(body, at);
        }
    }

    /** One structural edit: the node at {@code target} (pre-order) becomes {@code kind}. */
    record NodeEdit(int target, int kind, String text, long number) {}

    @Provide
    Arbitrary<List<NodeEdit>> nodeEdits() {
        return Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 9),
                Arbitraries.strings().ofMaxLength(20), Arbitraries.longs()).as(NodeEdit::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 1000)
    void structurallyMutatedSignedBodiesGive200Or400AndAllOrNothing(@ForAll("nodeEdits") List<NodeEdit> edits)
            throws Exception {
        JsonNode root = MAPPER.readTree(BASE);
        for (NodeEdit e : edits) {
            mutate(root, e);
        }
        RecordingSink sink = emptySink();

        assertAllOrNothing(HANDLER.handle(Webhooks.signed(APP_SECRET,
                MAPPER.writeValueAsBytes(root))), sink);
    }

    /** A slot in the tree: a field of an object or an element of an array. */
    record Slot(JsonNode parent, String field, int index) {}

    private static void mutate(JsonNode root, NodeEdit e) {
        List<Slot> slots = new ArrayList<>();
        collect(root, slots);
        if (slots.isEmpty()) {
            return; // an earlier edit emptied the root
        }
        Slot slot = slots.get(e.target() % slots.size());
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode replacement;
        switch (e.kind()) {
            case 0:
                if (slot.field() != null) {
                    ((ObjectNode) slot.parent()).remove(slot.field());
                    return;
                }
                replacement = f.nullNode();
                break;
            case 1: replacement = f.textNode(e.text()); break;
            case 2: replacement = f.numberNode(e.number()); break;
            case 3: replacement = f.objectNode(); break;
            case 4: replacement = f.arrayNode(); break;
            case 5: replacement = f.booleanNode(e.number() % 2 == 0); break;
            case 6: replacement = f.textNode(Long.toString(Math.abs(e.number() % 100_000_000_000_000L))); break;
            case 7: replacement = f.textNode(""); break;
            case 8: replacement = f.nullNode(); break;
            default:
                JsonNode current = slot.field() != null ? slot.parent().get(slot.field()) : slot.parent().get(slot.index());
                replacement = f.arrayNode().add(current.deepCopy());
        }
        if (slot.field() != null) {
            ((ObjectNode) slot.parent()).set(slot.field(), replacement);
        } else {
            ((ArrayNode) slot.parent()).set(slot.index(), replacement);
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> field = it.next();
                slots.add(new Slot(node, field.getKey(), -1));
                collect(field.getValue(), slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                slots.add(new Slot(node, null, i));
                collect(node.get(i), slots);
            }
        }
    }

    @Property(tries = 300)
    void arbitrarySignedTextGives200Or400(@ForAll @Size(max = 300) String text) throws Exception {
        RecordingSink sink = emptySink();

        assertAllOrNothing(HANDLER.handle(Webhooks.signed(text)), sink);
    }

    @Provide
    Arbitrary<String> signatureHeaders() {
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofLength(64);
        return Arbitraries.oneOf(hex.map(h -> "sha256=" + h), hex, Arbitraries.strings().ofMaxLength(80),
                hex.map(h -> "sha256=" + h.substring(0, 63)), Arbitraries.just(null));
    }

    @Property(tries = 1000)
    void bodiesWithoutAValidSignatureNeverReachTheSink(@ForAll("signatureHeaders") String header,
            @ForAll("byteEdits") List<ByteEdit> edits, @ForAll boolean mutate) {
        byte[] body = BASE.getBytes(StandardCharsets.UTF_8);
        if (mutate) {
            for (ByteEdit e : edits) {
                body = apply(body, e);
            }
        }
        RecordingSink sink = emptySink();

        WebhookResponse r = HANDLER.handle(Webhooks.post(body, header));

        assertThat(r.status()).isEqualTo(401);
        assertThat(sink.batches).isEmpty();
    }

    @Property(tries = 300)
    void theRightSignatureOfAnotherBodyNeverReachesTheSink(@ForAll("byteEdits") List<ByteEdit> edits) {
        byte[] original = BASE.getBytes(StandardCharsets.UTF_8);
        byte[] body = original;
        for (ByteEdit e : edits) {
            body = apply(body, e);
        }
        if (Arrays.equals(body, original)) {
            return;
        }
        RecordingSink sink = emptySink();

        WebhookResponse r = HANDLER.handle(Webhooks.post(body,
                Webhooks.signature(APP_SECRET, original)));

        assertThat(r.status()).isEqualTo(401);
        assertThat(sink.batches).isEmpty();
    }
}
