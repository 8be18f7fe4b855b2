package io.whatsappoutbox.jdbc.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One stored object: its scalar fields as text (null for JSON null), its arrays of objects and
 * its objects. A stored object has at most a handful of fields, so they are kept in order and
 * searched, not hashed (every claimed row is read here); the lists of arrays and objects are
 * made only for the shapes that have them, not for a text or a body-only template.
 */
final class StoredFields {
    private final List<String> names = new ArrayList<>(4);
    private final List<String> texts = new ArrayList<>(4);
    private List<String> listNames;
    private List<List<StoredFields>> lists;
    private List<String> objectNames;
    private List<StoredFields> objects;

    static StoredFields read(JsonParser p) throws IOException {
        if (p.currentToken() == null) {
            p.nextToken();
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(p, "stored payload_json is not an object");
        }
        StoredFields o = new StoredFields();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                List<StoredFields> items = new ArrayList<>();
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    if (item == JsonToken.START_OBJECT) {
                        items.add(read(p));
                    } else {
                        p.skipChildren();
                    }
                }
                if (o.lists == null) {
                    o.listNames = new ArrayList<>(2);
                    o.lists = new ArrayList<>(2);
                }
                o.listNames.add(name);
                o.lists.add(items);
            } else if (t == JsonToken.START_OBJECT) {
                StoredFields nested = read(p);
                if (o.objects == null) {
                    o.objectNames = new ArrayList<>(2);
                    o.objects = new ArrayList<>(2);
                }
                o.objectNames.add(name);
                o.objects.add(nested);
            } else if (t != JsonToken.VALUE_NULL) {
                o.names.add(name);
                o.texts.add(p.getText());
            }
        }
        return o;
    }

    /** The last value written for {@code field}, as a JSON object keeps the last of a repeated key. */
    String text(String field) {
        int i = names.lastIndexOf(field);
        return i < 0 ? null : texts.get(i);
    }

    List<StoredFields> list(String field) {
        int i = listNames == null ? -1 : listNames.lastIndexOf(field);
        return i < 0 ? List.of() : lists.get(i);
    }

    StoredFields object(String field) {
        int i = objectNames == null ? -1 : objectNames.lastIndexOf(field);
        return i < 0 ? null : objects.get(i);
    }
}
