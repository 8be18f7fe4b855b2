package io.whatsappoutbox.core.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The HMACs webhook signatures use, and their constant-time comparison. Internal. */
public final class Hmac {
    private Hmac() {}

    /** Meta's {@code X-Hub-Signature-256} value without its {@code sha256=} prefix. */
    public static String sha256Hex(byte[] key, byte[] data) {
        return HexFormat.of().formatHex(mac("HmacSHA256", key, data));
    }

    /** Twilio's {@code X-Twilio-Signature}. */
    public static String sha1Base64(byte[] key, byte[] data) {
        return Base64.getEncoder().encodeToString(mac("HmacSHA1", key, data));
    }

    /** Compares two signatures in time that does not depend on where they differ. */
    public static boolean constantTimeEquals(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is required by every Java platform", e);
        }
    }
}
