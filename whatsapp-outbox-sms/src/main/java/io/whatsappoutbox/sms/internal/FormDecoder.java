package io.whatsappoutbox.sms.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an {@code application/x-www-form-urlencoded} body as the WHATWG URL standard does,
 * except that it is strict: a broken {@code %} escape or bytes that are not UTF-8 make the whole
 * body malformed instead of being replaced, since a signature computed over replaced text could
 * never be the one Twilio made.
 */
public final class FormDecoder {
    private FormDecoder() {}

    /** Every pair in arrival order; empty segments ({@code a=1&&b=2}) are skipped. */
    public static List<FormParam> decode(byte[] body) throws MalformedFormException {
        List<FormParam> params = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    params.add(pair(body, start, i));
                }
                start = i + 1;
            }
        }
        return params;
    }

    private static FormParam pair(byte[] body, int from, int to) throws MalformedFormException {
        int eq = -1;
        for (int i = from; i < to; i++) {
            if (body[i] == '=') {
                eq = i;
                break;
            }
        }
        if (eq < 0) {
            return new FormParam(component(body, from, to), ""); // "name" alone is "name="
        }
        return new FormParam(component(body, from, eq), component(body, eq + 1, to));
    }

    private static String component(byte[] body, int from, int to) throws MalformedFormException {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out[n++] = ' ';
            } else if (b == '%') {
                if (i + 2 >= to) {
                    throw new MalformedFormException("truncated percent escape");
                }
                int hi = Character.digit(body[i + 1], 16);
                int lo = Character.digit(body[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new MalformedFormException("invalid percent escape");
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else {
                out[n++] = b;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFormException("not UTF-8");
        }
    }
}
