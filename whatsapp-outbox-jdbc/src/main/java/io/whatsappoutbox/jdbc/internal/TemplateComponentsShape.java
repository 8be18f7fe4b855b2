package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.internal.Violations;
import java.util.Set;

/**
 * The shape of a template's {@code components} given as Meta's own JSON: an array of objects of
 * the component types Meta documents, each with its parameters, buttons with their sub-type and
 * index, carousel cards with theirs. Checked when the message is enqueued, so a malformed escape
 * hatch is refused to the host instead of dead-lettered by Meta. Internal.
 */
final class TemplateComponentsShape {
    static final Set<String> TYPES = Set.of("header", "body", "button", "carousel", "limited_time_offer",
            "tap_target_configuration");
    static final Set<String> CARD_TYPES = Set.of("header", "body", "button");
    static final int COMPONENTS_MAX = 20;
    static final int CARDS_MAX = 10;
    static final int DEPTH_MAX = 16;
    private final ObjectMapper json;

    TemplateComponentsShape(ObjectMapper json) {
        this.json = json;
    }

    /** @throws InvalidInputException naming the first broken part under {@code field} */
    void check(String componentsJson, String field) {
        Violations v = new Violations();
        JsonNode root;
        try {
            root = json.readTree(componentsJson);
        } catch (JsonProcessingException e) {
            v.add(field, "is not JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")", "Meta's components: a JSON array of objects");
            v.throwIfAny("outbound message");
            return;
        }
        components(v, field, root, TYPES);
        if (v.isEmpty() && depth(root) > DEPTH_MAX) {
            v.add(field, "nests deeper than " + DEPTH_MAX + " levels", "Meta's components shape");
        }
        v.throwIfAny("outbound message");
    }

    private static void components(Violations v, String field, JsonNode array, Set<String> types) {
        if (array == null || !array.isArray() || array.isEmpty() || array.size() > COMPONENTS_MAX) {
            v.add(field, array == null || !array.isArray() ? "is not a JSON array" : "has " + array.size() + " components",
                    "Meta's components: an array of 1 to " + COMPONENTS_MAX + " objects");
            return;
        }
        for (int i = 0; i < array.size(); i++) {
            String f = field + "[" + i + "]";
            JsonNode c = array.get(i);
            if (!c.isObject()) {
                v.add(f, "is not an object", "a component object with a \"type\"");
                continue;
            }
            JsonNode type = c.get("type");
            if (type == null || !type.isTextual() || !types.contains(type.asText())) {
                v.add(f + ".type", type == null ? "is missing" : "'" + Violations.printable(type.toString())
                        + "' is not a component type", "one of " + types.stream().sorted().toList());
                continue;
            }
            switch (type.asText()) {
                case "button" -> {
                    if (!c.path("sub_type").isTextual()) {
                        v.add(f + ".sub_type", "is missing or not a string", "url, quick_reply, copy_code, flow ...");
                    }
                    JsonNode index = c.get("index");
                    if (index == null || !(index.canConvertToInt() || index.isTextual() && index.asText().matches("\\d")))
                    {
                        v.add(f + ".index", "is missing or not an index", "the button's 0-based index, 0 to 9");
                    }
                    parameters(v, f, c, true);
                }
                case "carousel" -> {
                    JsonNode cards = c.get("cards");
                    if (cards == null || !cards.isArray() || cards.isEmpty() || cards.size() > CARDS_MAX) {
                        v.add(f + ".cards", "is missing, empty or too long", "1 to " + CARDS_MAX + " cards");
                        continue;
                    }
                    for (int k = 0; k < cards.size(); k++) {
                        JsonNode card = cards.get(k);
                        String cf = f + ".cards[" + k + "]";
                        if (!card.isObject() || !card.path("card_index").canConvertToInt()) {
                            v.add(cf + ".card_index", "is missing", "each card an object with its card_index");
                            continue;
                        }
                        components(v, cf + ".components", card.get("components"), CARD_TYPES);
                    }
                }
                default -> parameters(v, f, c, false);
            }
        }
    }

    private static void parameters(Violations v, String f, JsonNode component, boolean required) {
        JsonNode params = component.get("parameters");
        if (params == null && !required) {
            return;
        }
        if (params == null || !params.isArray()) {
            v.add(f + ".parameters", "is missing or not an array", "an array of parameter objects");
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).isObject() || !params.get(i).path("type").isTextual()) {
                v.add(f + ".parameters[" + i + "].type", "is missing", "each parameter an object with its \"type\"");
            }
        }
    }

    private static int depth(JsonNode n) {
        int deepest = 0;
        for (JsonNode child : n) {
            deepest = Math.max(deepest, depth(child));
        }
        return deepest + (n.isContainerNode() ? 1 : 0);
    }
}
