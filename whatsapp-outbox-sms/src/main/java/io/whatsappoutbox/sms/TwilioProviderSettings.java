package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.internal.Violations;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** What a {@link TwilioSmsProvider.Builder} was given, and the check of it all at once. */
record TwilioProviderSettings(String baseUrl, String accountSid, Secret authToken, String from,
        String messagingServiceSid, URI statusCallbackUrl, Duration connectTimeout, Duration readTimeout,
        Duration callTimeout, int maxRequests, int maxRequestsPerHost, boolean asynchronous, OkHttpClient httpClient,
        ErrorCatalogue errorCatalogue, Clock clock) {
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    private static final Pattern MESSAGING_SERVICE_SID = Pattern.compile("MG[0-9a-fA-F]{32}");

    /** The parsed API root and sending number (null when Twilio picks it through the messaging service). */
    record Checked(HttpUrl base, PhoneNumber from) {}

    /** @throws InvalidInputException naming every setting that is missing or wrong */
    Checked check() {
        Violations v = new Violations();
        HttpUrl base = null;
        if (v.requirePresent("baseUrl", baseUrl)) {
            base = HttpUrl.parse(baseUrl.trim());
            if (base == null) {
                v.add("baseUrl", "'" + Violations.printable(baseUrl) + "' is not an absolute http(s) URL",
                        "an absolute https:// URL such as https://api.twilio.com");
            }
        }
        if (v.requirePresent("accountSid", accountSid) && !ACCOUNT_SID.matcher(accountSid).matches()) {
            v.add("accountSid", "is not an account sid", "'AC' followed by 32 hexadecimal digits");
        }
        v.requireNonNull("authToken", authToken);
        PhoneNumber sender = sender(v);
        if (statusCallbackUrl != null && !isHttpUrl(statusCallbackUrl)) {
            v.add("statusCallbackUrl", "is not an absolute http(s) URL", "an absolute https:// URL");
        }
        positive(v, "connectTimeout", connectTimeout);
        positive(v, "readTimeout", readTimeout);
        positive(v, "callTimeout", callTimeout);
        v.range("maxRequests", maxRequests, 1, 100_000);
        v.range("maxRequestsPerHost", maxRequestsPerHost, 1, 100_000);
        v.requireNonNull("errorCatalogue", errorCatalogue);
        v.requireNonNull("clock", clock);
        v.throwIfAny("Twilio SMS provider settings");
        return new Checked(base, sender);
    }

    private PhoneNumber sender(Violations v) {
        if ((from == null) == (messagingServiceSid == null)) {
            v.add("from", from == null ? "and messagingServiceSid are both missing"
                    : "and messagingServiceSid are both set", "exactly one of from or messagingServiceSid");
            return null;
        }
        if (messagingServiceSid != null) {
            if (!MESSAGING_SERVICE_SID.matcher(messagingServiceSid).matches()) {
                v.add("messagingServiceSid", "is not a messaging service sid",
                        "'MG' followed by 32 hexadecimal digits");
            }
            return null;
        }
        try {
            return PhoneNumber.of(from);
        } catch (InvalidInputException e) {
            v.add("from", "'" + PhoneNumber.mask(from) + "' is not a valid E.164 number",
                    "E.164: '+' then 7 to 15 digits, the first not 0, no spaces");
            return null;
        }
    }

    private static boolean isHttpUrl(URI uri) {
        String scheme = uri.getScheme();
        return uri.isAbsolute() && uri.getHost() != null && scheme != null
                && (scheme.toLowerCase(Locale.ROOT).equals("https") || scheme.toLowerCase(Locale.ROOT).equals("http"));
    }

    private static void positive(Violations v, String field, Duration d) {
        // OkHttp counts whole milliseconds in an int.
        if (v.requireNonNull(field, d) && (d.compareTo(Duration.ofMillis(1)) < 0
                || d.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0)) {
            v.add(field, "is " + d, "between 1 ms and 24 days");
        }
    }
}
