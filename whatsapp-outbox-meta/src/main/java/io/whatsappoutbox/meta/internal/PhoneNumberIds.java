package io.whatsappoutbox.meta.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The phone number ids a webhook body names ({@code "phone_number_id":"<digits>"}), found before
 * the signature is checked, so that only the secrets of those numbers' orgs are tried. What is not
 * yet verified only narrows the secrets tried, never what is applied: the body is parsed and routed
 * again once its signature holds, and a change routed to an org whose secret did not sign it is
 * refused. A byte search rather than a JSON parse: it runs on every request, forged ones included,
 * and costs a fraction of the HMAC it saves (tokenising a 3 MiB body costs more than hashing it).
 * Internal.
 */
public final class PhoneNumberIds {
    /** More distinct ids than this and the body is not routed ahead of its check: every secret is tried. */
    static final int MAX = 64;
    /** Meta's ids are numeric and short; anything longer is not one. */
    private static final int DIGITS_MAX = 32;
    private static final byte[] KEY = "\"phone_number_id\"".getBytes(StandardCharsets.US_ASCII);

    private PhoneNumberIds() {}

    /** The ids, in order of appearance; empty when there are none or too many. */
    public static Set<String> in(byte[] body) {
        Set<String> ids = new LinkedHashSet<>();
        for (int at = indexOf(body, 0); at >= 0; at = indexOf(body, at + KEY.length)) {
            String id = valueAfter(body, at + KEY.length);
            if (id != null && ids.add(id) && ids.size() > MAX) {
                return Set.of();
            }
        }
        return ids;
    }

    /** {@code <blanks> : <blanks> "digits"} from {@code i}, or null. */
    private static String valueAfter(byte[] b, int i) {
        i = skipBlanks(b, i);
        if (i >= b.length || b[i] != ':') {
            return null;
        }
        i = skipBlanks(b, i + 1);
        if (i >= b.length || b[i] != '"') {
            return null;
        }
        int start = ++i;
        while (i < b.length && i - start <= DIGITS_MAX && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        if (i == start || i >= b.length || b[i] != '"' || i - start > DIGITS_MAX) {
            return null;
        }
        return new String(b, start, i - start, StandardCharsets.US_ASCII);
    }

    private static int skipBlanks(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] b, int from) {
        outer:
        for (int i = from; i <= b.length - KEY.length; i++) {
            if (b[i] != '"') {
                continue;
            }
            for (int k = 1; k < KEY.length; k++) {
                if (b[i + k] != KEY[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
