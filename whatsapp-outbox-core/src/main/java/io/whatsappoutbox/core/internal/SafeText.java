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
    /**
     * Any phone number: '+' then 7 to 15 digits with spaces, dots, dashes or parentheses between
     * them ({@code +1 (415) 555-0100}); a national number in groups ({@code 06 12 34 56 78},
     * {@code 415-555-0100}, nine digits or more, so that a date is left alone); seven or more digits
     * in a row, with or without '+'.
     */
    private static final Pattern PHONE_LIKE = Pattern.compile(
            "\\+\\d(?:[ .()\\-]{0,2}\\d){6,14}(?!\\d)"
            + "|(?<![\\w.:+-])\\(?\\d{2,4}\\)?(?:[ -]\\d{2,4}){2,5}(?![\\w:.-])"
            + "|\\+?\\d{7,}");
    /** Fewer digits than this in groups without '+' are a date or a reference, not a number. */
    private static final int GROUPED_DIGITS_MIN = 9;

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

    /** Longer than any provider's message id or code; an id past it cannot be indexed or matched anyway. */
    public static final int MAX_ID = 256;

    /**
     * A provider's id or code fit for a column and an index: without control, format or blank
     * characters (PostgreSQL refuses NUL in text, and a provider may send any byte), at most
     * {@link #MAX_ID} characters. The same id cleaned twice is the same: a receipt still finds its
     * message.
     */
    public static String id(String raw) {
        if (raw == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX_ID));
        for (int i = 0; i < raw.length() && out.length() < MAX_ID; ) {
            int cp = raw.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isISOControl(cp) && !Character.isWhitespace(cp) && !Character.isSpaceChar(cp)
                    && Character.getType(cp) != Character.FORMAT && Character.getType(cp) != Character.SURROGATE) {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
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
        return m.replaceAll(r -> Matcher.quoteReplacement(maskIfNumber(r.group())));
    }

    private static String maskIfNumber(String match) {
        boolean grouped = match.charAt(0) != '+' && !match.chars().allMatch(Character::isDigit);
        if (grouped && match.chars().filter(Character::isDigit).count() < GROUPED_DIGITS_MIN) {
            return match;
        }
        return PhoneNumber.mask(match);
    }

    /** Redacts first, then cleans: cutting a redacted text cannot reveal what was masked. */
    public static String forError(String raw, String... secrets) {
        return clean(redact(raw, secrets));
    }

    /**
     * An exception as its class and message, {@code secrets} and numbers masked, cleaned: the
     * message may quote what a database or a provider was given (a recipient in a duplicate key's
     * detail, a URL with a token).
     */
    public static String describe(Throwable e, String... secrets) {
        String name = e.getClass().getSimpleName();
        String msg = forError(e.getMessage(), secrets);
        return msg == null || msg.isEmpty() ? name : name + ": " + msg;
    }
}
