package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * What a {@link MetaCloudProvider.Builder} was given, and the check of it all at once. A null
 * {@code trustManager} trusts the JVM's certificates.
 */
record MetaProviderSettings(WhatsAppAccounts accounts, String baseUrl, String graphVersion, Duration connectTimeout,
        Duration readTimeout, Duration callTimeout, int maxRequests, int maxRequestsPerHost, boolean asynchronous,
        OkHttpClient httpClient, ErrorCatalogue errorCatalogue, Clock clock, X509TrustManager trustManager) {
    private static final Pattern GRAPH_VERSION = Pattern.compile("v\\d{1,3}\\.\\d{1,3}");

    /**
     * The base URL to call, without a trailing slash.
     *
     * @throws io.whatsappoutbox.core.InvalidInputException naming every bad setting
     */
    HttpUrl checkedBaseUrl() {
        Violations v = new Violations();
        v.requireNonNull("accounts", accounts);
        HttpUrl url = null;
        if (v.requirePresent("baseUrl", baseUrl)) {
            url = HttpUrl.parse(baseUrl.strip());
            if (url == null) {
                v.add("baseUrl", "is not an absolute http(s) URL", "an absolute https:// URL");
            } else if (url.query() != null || url.fragment() != null) {
                v.add("baseUrl", "has a query or a fragment", "scheme, host, port and path only");
            } else if (!url.isHttps() && !isLoopback(url.host())) {
                v.add("baseUrl", "uses plain http to " + url.host(),
                        "https, so the access token is never sent in clear (http only to a loopback host)");
            }
        }
        v.text("graphVersion", graphVersion, 16, GRAPH_VERSION, "a Graph API version such as v23.0");
        duration(v, "connectTimeout", connectTimeout);
        duration(v, "readTimeout", readTimeout);
        duration(v, "callTimeout", callTimeout);
        v.range("maxRequests", maxRequests, 1, 100_000);
        v.range("maxRequestsPerHost", maxRequestsPerHost, 1, 100_000);
        v.requireNonNull("errorCatalogue", errorCatalogue);
        v.requireNonNull("clock", clock);
        v.throwIfAny("Meta provider settings");
        return withoutTrailingSlash(url);
    }

    private static void duration(Violations v, String field, Duration d) {
        if (v.requireNonNull(field, d) && (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0)) {
            v.add(field, "is " + d, "more than zero, at most 10 minutes");
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
    }

    private static HttpUrl withoutTrailingSlash(HttpUrl url) {
        // "https://host/" and "https://host/prefix/" end with an empty segment; drop it so the
        // version segment is appended, not inserted after a double slash
        HttpUrl.Builder b = url.newBuilder();
        int last = url.pathSize() - 1;
        if (last >= 0 && url.pathSegments().get(last).isEmpty()) {
            b.removePathSegment(last);
        }
        return b.build();
    }
}
