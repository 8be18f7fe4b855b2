package io.whatsappoutbox.core.webhook;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as any host's HTTP stack can hand it over: the webhook handlers need nothing of
 * a framework. The body is the raw bytes as received: signatures are computed on them.
 *
 * @param url the full URL the caller used, as the provider saw it (Twilio signs it), may be null
 */
public record WebhookRequest(String method, String url, Map<String, List<String>> query,
        Map<String, List<String>> headers, byte[] body) {

    public WebhookRequest {
        method = method == null ? "" : method.toUpperCase(Locale.ROOT);
        query = query == null ? Map.of() : Map.copyOf(query);
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null) {
                    h.put(k, v == null ? List.of() : List.copyOf(v));
                }
            });
        }
        headers = java.util.Collections.unmodifiableMap(h);
        body = body == null ? new byte[0] : body;
    }

    /** The first value of a header, matched without regard to case. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }

    /**
     * Header names, the URL's path and the body's size only: the values carry signatures, the query
     * Meta's verify token, the body customers' numbers and words.
     */
    @Override
    public String toString() {
        String path = url;
        if (path != null && path.indexOf('?') >= 0) {
            path = path.substring(0, path.indexOf('?'));
        }
        return "WebhookRequest[method=" + method + ", url=" + path + ", query=" + query.keySet() + ", headers="
                + headers.keySet() + ", body=" + body.length + " bytes]";
    }

    public Optional<String> queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }
}
