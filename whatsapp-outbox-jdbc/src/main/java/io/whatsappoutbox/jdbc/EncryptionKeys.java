package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.internal.Violations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The host's keys for secrets at rest (access tokens, webhook secrets): AES-256-GCM with a random
 * 96-bit nonce. Each stored value carries the id of the key that sealed it, so keys can rotate:
 * the current key seals, every key the host still lists opens.
 *
 * <p>Stored layout: {@code 0x01 | key id length | key id | nonce (12) | ciphertext + tag (16)}. The
 * associated data binds a value to its table, column and org, so a value copied to another row
 * does not open there.
 */
public final class EncryptionKeys {
    private static final byte FORMAT = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String currentId;
    private final Map<String, SecretKeySpec> keys;
    private final SecureRandom random;

    private EncryptionKeys(String currentId, Map<String, SecretKeySpec> keys, SecureRandom random) {
        this.currentId = currentId;
        this.keys = Map.copyOf(keys);
        this.random = random;
    }

    /** One key, current: {@code key} must be 32 bytes. */
    public static EncryptionKeys of(String keyId, byte[] key) {
        Map<String, SecretKeySpec> m = new LinkedHashMap<>();
        m.put(check(keyId, key), new SecretKeySpec(key.clone(), "AES"));
        return new EncryptionKeys(keyId, m, new SecureRandom());
    }

    /** One key given as base64 (as {@code OUTBOX_ENCRYPTION_KEY} holds it). */
    public static EncryptionKeys fromBase64(String keyId, String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
        } catch (IllegalArgumentException e) {
            Violations v = new Violations();
            v.add("encryptionKey", "is not valid base64", "base64 of 32 random bytes");
            v.throwIfAny("encryption key");
            throw e;
        }
        return of(keyId, key);
    }

    /** A fresh random key, base64: what a host puts in its secret store. */
    public static String generateBase64Key() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Adds an older key that still opens values it sealed; the current key is unchanged. */
    public EncryptionKeys withRetired(String keyId, byte[] key) {
        Map<String, SecretKeySpec> m = new LinkedHashMap<>(keys);
        m.put(check(keyId, key), new SecretKeySpec(key.clone(), "AES"));
        return new EncryptionKeys(currentId, m, random);
    }

    public String currentKeyId() {
        return currentId;
    }

    /** Seals {@code plaintext} under the current key. */
    public byte[] seal(byte[] plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] id = currentId.getBytes(StandardCharsets.US_ASCII);
            return ByteBuffer.allocate(2 + id.length + NONCE_BYTES + sealed.length)
                    .put(FORMAT).put((byte) id.length).put(id).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by every Java platform", e);
        }
    }

    /** Opens a value sealed by any listed key; a value that does not open is an error, never garbage. */
    public byte[] open(byte[] stored, String context) {
        Objects.requireNonNull(stored, "stored");
        ByteBuffer in = ByteBuffer.wrap(stored);
        if (stored.length < 2 + NONCE_BYTES + TAG_BITS / 8 || in.get() != FORMAT) {
            throw new SecretUnreadableException("stored secret has an unknown format");
        }
        int idLength = in.get() & 0xff;
        if (stored.length < 2 + idLength + NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretUnreadableException("stored secret is truncated");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        String keyId = new String(id, StandardCharsets.US_ASCII);
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new SecretUnreadableException("stored secret was sealed with key '" + keyId
                    + "', which is not among the configured keys " + keys.keySet());
        }
        byte[] nonce = new byte[NONCE_BYTES];
        in.get(nonce);
        byte[] sealed = new byte[in.remaining()];
        in.get(sealed);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed);
        } catch (AEADBadTagException e) {
            throw new SecretUnreadableException("stored secret does not open with key '" + keyId
                    + "' (tampered, or copied from another row)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by every Java platform", e);
        }
    }

    /** The key id a stored value was sealed with. */
    public static String keyIdOf(byte[] stored) {
        if (stored == null || stored.length < 2) {
            return null;
        }
        int len = stored[1] & 0xff;
        return stored.length < 2 + len ? null : new String(stored, 2, len, StandardCharsets.US_ASCII);
    }

    private static String check(String keyId, byte[] key) {
        Violations v = new Violations();
        v.text("keyId", keyId, 64, KEY_ID, "1 to 64 letters, digits, '.', '_', '-'");
        if (key == null || key.length != 32) {
            v.add("encryptionKey", key == null ? "is missing" : "has " + key.length + " bytes",
                    "exactly 32 bytes (AES-256)");
        }
        v.throwIfAny("encryption key");
        return keyId;
    }

    @Override
    public String toString() {
        return "EncryptionKeys[current=" + currentId + ", keys=" + keys.keySet() + "]";
    }

    /** A stored secret that cannot be opened with the configured keys. */
    public static final class SecretUnreadableException extends IllegalStateException {
        public SecretUnreadableException(String message) {
            super(message);
        }
    }
}
