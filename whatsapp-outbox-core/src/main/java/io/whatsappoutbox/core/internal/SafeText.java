package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.PhoneNumber;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text that came from the network (a provider's error message, an exception) fit for an
 * error column or a log line: no secret, no full phone number (providers echo the number they
 * refused), one short line without control characters. Internal.
 */
public final class SafeText {
    /** Long enough for a provider's message, short enough that an HTML error page is not echoed. */
    public static final int MAX = 200;
    /** An optional '+' and seven or more digits: any phone number, with or without its '+'. */
    private static final Pattern PHONE_LIKE = Pattern.compile("\\+?\\d{7,}");

    private SafeText() {}

    /** Cuts to {@link #MAX} characters, turns control characters and runs of blanks into one space. */
    public static String clean(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX + 3));
        boolean lastBlank = false;
        for (int i = 0; i < raw.length() && out.length() < MAX; ) {
            int cp = raw.codePointAt(i);
            i += Character.charCount(cp);
            boolean blank = Character.isISOControl(cp) || Character.isWhitespace(cp)
                    || Character.getType(cp) == Character.FORMAT;
            if (blank) {
                if (!lastBlank && out.length() > 0) {
                    out.append(' ');
                }
                lastBlank = true;
            } else {
                out.appendCodePoint(cp);
                lastBlank = false;
            }
            if (out.length() >= MAX && i < raw.length()) {
                out.append("...");
                break;
            }
        }
        return out.toString().strip();
    }

    /** Replaces each secret by {@code ****}, then masks every phone-like number. */
    public static String redact(String text, String... secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                out = out.replace(secret, "****");
            }
        }
        Matcher m = PHONE_LIKE.matcher(out);
        return m.replaceAll(r -> Matcher.quoteReplacement(PhoneNumber.mask(r.group())));
    }

    /** Redacts first, then cleans: cutting a redacted text cannot reveal what was masked. */
    public static String forError(String raw, String... secrets) {
        return clean(redact(raw, secrets));
    }

    /** An exception as its class and cleaned message. */
    public static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        String msg = clean(e.getMessage());
        return msg == null || msg.isEmpty() ? name : name + ": " + msg;
    }
}
