package io.whatsappoutbox.meta.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The phone number ids a webhook body names ({@code metadata.phone_number_id}), read in one
 * streaming pass before the signature is checked, so that only the secrets of those numbers' orgs
 * are tried. What is not yet verified only narrows the secrets tried, never widens what is applied:
 * the body is parsed and routed again once its signature holds. Internal.
 */
public final class PhoneNumberIds {
    /** More distinct ids than this and the body is not routed ahead of its check: every secret is tried. */
    static final int MAX = 64;
    private static final String FIELD = "phone_number_id";

    private PhoneNumberIds() {}

    /** The ids, in order of appearance; empty when there are none, too many, or the body is not JSON. */
    public static Set<String> in(JsonFactory json, byte[] body) {
        Set<String> ids = new LinkedHashSet<>();
        try (JsonParser p = json.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME && FIELD.equals(p.currentName())
                        && p.nextToken() == JsonToken.VALUE_STRING) {
                    ids.add(p.getText());
                    if (ids.size() > MAX) {
                        return Set.of();
                    }
                }
            }
        } catch (IOException e) {
            // a body that is not JSON is refused after its signature check, which tries every secret
            return Set.of();
        }
        return ids;
    }
}
