package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.PhoneNumber;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A stable digest of a message's channel, recipient, content and business reference, built from
 * a length-prefixed encoding so that no two different messages encode alike. Internal.
 */
public final class Fingerprint {
    private Fingerprint() {}

    public static String of(Channel channel, PhoneNumber to, MessageContent content, String dossierId) {
        StringBuilder out = new StringBuilder(256);
        field(out, "v1");
        field(out, channel.name());
        field(out, to.value());
        field(out, dossierId);
        encode(out, content);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(out.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Upper bound of the stored size of a content, in UTF-8 bytes. */
    public static int estimatedBytes(MessageContent content) {
        StringBuilder out = new StringBuilder(256);
        encode(out, content);
        // worst case: every character takes 4 bytes in UTF-8 once escaped in JSON
        return out.toString().getBytes(StandardCharsets.UTF_8).length + 256;
    }

    private static void encode(StringBuilder out, MessageContent content) {
        field(out, content.type().name());
        if (content instanceof MessageContent.Text t) {
            field(out, t.body());
            field(out, Boolean.toString(t.previewUrl()));
        } else if (content instanceof MessageContent.Template t) {
            field(out, t.name());
            field(out, t.language());
            for (MessageContent.TemplateParameter p : t.parameters()) {
                field(out, p == null ? null : p.name());
                field(out, p == null ? null : p.text());
            }
        } else if (content instanceof MessageContent.Media m) {
            field(out, m.mediaId());
            field(out, m.link() == null ? null : m.link().toString());
            field(out, m.caption());
            field(out, m.filename());
        } else if (content instanceof MessageContent.InteractiveButtons i) {
            field(out, i.body());
            field(out, i.header());
            field(out, i.footer());
            for (MessageContent.ReplyButton b : i.buttons()) {
                field(out, b == null ? null : b.id());
                field(out, b == null ? null : b.title());
            }
        }
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-1:");
        } else {
            out.append(value.length()).append(':').append(value);
        }
    }
}
