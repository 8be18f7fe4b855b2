package io.whatsappoutbox.sms.internal;

import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Twilio's {@code X-Twilio-Signature}: Base64(HMAC-SHA1(auth token, URL + every POST parameter,
 * sorted by name then value, as name followed by value)).
 */
public final class TwilioSignature {
    private TwilioSignature() {}

    /** The signature Twilio computes for {@code url} and {@code params}, every pair kept. */
    public static String compute(Secret token, String url, List<FormParam> params) {
        return Hmac.sha1Base64(token.bytes(), payload(url, params, false).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Every string Twilio may have signed for this request, most likely first. Twilio's own
     * validators accept the URL with and without its port (Twilio has signed both forms), and
     * their published vector for a repeated name counts each identical pair once; a status
     * callback never repeats a name, so both readings of a repeated pair are accepted.
     */
    public static List<byte[]> signedForms(String url, List<FormParam> params) {
        Set<String> forms = new LinkedHashSet<>();
        for (String u : urlVariants(url)) {
            forms.add(payload(u, params, false));
            forms.add(payload(u, params, true));
        }
        List<byte[]> out = new ArrayList<>(forms.size());
        forms.forEach(f -> out.add(f.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    /** True when {@code presented} is the signature of one of {@code forms} under {@code token}. */
    public static boolean matches(Secret token, List<byte[]> forms, String presented) {
        byte[] key = token.bytes();
        boolean match = false;
        for (byte[] form : forms) {
            // No early exit: the time taken does not tell which form matched.
            match |= Hmac.constantTimeEquals(Hmac.sha1Base64(key, form), presented);
        }
        return match;
    }

    static String payload(String url, List<FormParam> params, boolean distinctPairs) {
        List<FormParam> sorted = new ArrayList<>(distinctPairs ? new LinkedHashSet<>(params) : params);
        sorted.sort(FormParam.SIGNING_ORDER);
        StringBuilder data = new StringBuilder(url);
        for (FormParam p : sorted) {
            data.append(p.name()).append(p.value());
        }
        return data.toString();
    }

    /** The URL as given, and without its port, or with the scheme's default port when it has none. */
    static List<String> urlVariants(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return List.of(url);
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        int authorityStart = schemeEnd + 3;
        int authorityEnd = url.length();
        for (int i = authorityStart; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        String authority = url.substring(authorityStart, authorityEnd);
        int hostStart = authority.lastIndexOf('@') + 1;
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon >= hostStart && !authority.endsWith("]")
                && colon < authority.length() - 1
                && authority.substring(colon + 1).chars().allMatch(c -> c >= '0' && c <= '9');
        String head = url.substring(0, authorityStart);
        String tail = url.substring(authorityEnd);
        if (hasPort) {
            return List.of(url, head + authority.substring(0, colon) + tail);
        }
        int defaultPort = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
        if (defaultPort < 0 || authority.isEmpty()) {
            return List.of(url);
        }
        return List.of(url, head + authority + ":" + defaultPort + tail);
    }
}
