package io.whatsappoutbox.sms;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Form encoding and Twilio signatures computed independently of the code under test (JDK
 * URLEncoder and javax.crypto, not the module's decoder nor core's Hmac).
 */
final class TwilioForms {
    private TwilioForms() {}

    static Map.Entry<String, String> p(String name, String value) {
        return Map.entry(name, value);
    }

    static byte[] encode(List<Map.Entry<String, String>> params) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : params) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Decodes a form body into its fields, keeping the first value of each name. */
    static Map<String, String> decode(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Base64(HMAC-SHA1(token, url + name + value for each pair sorted by name then value)). */
    static String sign(String token, String url, List<Map.Entry<String, String>> params) {
        List<Map.Entry<String, String>> sorted = new ArrayList<>(params);
        sorted.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        StringBuilder data = new StringBuilder(url);
        sorted.forEach(e -> data.append(e.getKey()).append(e.getValue()));
        return hmacSha1(token, data.toString());
    }

    static String hmacSha1(String token, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
