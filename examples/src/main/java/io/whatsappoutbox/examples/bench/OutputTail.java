package io.whatsappoutbox.examples.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The last lines of a child process's output, and the exception it ended on. */
final class OutputTail {
    private static final Pattern THROWABLE = Pattern.compile("^(Caused by: )?[\\w$]+(\\.[\\w$]+)+(Exception|Error)\\b.*");
    /** A throwable's class name anywhere in a line: a stack trace can follow progress printed without a newline. */
    private static final Pattern THROWABLE_IN_LINE =
            Pattern.compile("[a-z][\\w$]*(\\.[\\w$]+)*\\.[A-Z][\\w$]*(Exception|Error)\\b.*");

    private final int lines;
    private final Deque<String> kept = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private String firstThrowable;

    OutputTail(int lines) {
        this.lines = lines;
    }

    void write(byte[] buffer, int length) {
        // progress lines are ASCII; a multi-byte character split across reads is at worst mangled in the tail
        for (char ch : new String(buffer, 0, length, StandardCharsets.UTF_8).toCharArray()) {
            if (ch == '\n') {
                keep(partial.toString());
                partial.setLength(0);
            } else if (ch != '\r') {
                partial.append(ch);
            }
        }
    }

    private void keep(String line) {
        if (firstThrowable == null) {
            Matcher m = THROWABLE_IN_LINE.matcher(line);
            if (m.find()) {
                firstThrowable = line.substring(m.start());
            }
        }
        kept.addLast(line);
        if (kept.size() > lines) {
            kept.removeFirst();
        }
    }

    /** The root cause: the last {@code Caused by:} line kept, else the first exception line seen. */
    String cause() {
        String cause = null;
        for (String line : kept) {
            if (line.startsWith("Caused by: ") && THROWABLE.matcher(line).matches()) {
                cause = line.substring("Caused by: ".length());
            }
        }
        if (cause != null) {
            return cause;
        }
        return firstThrowable != null ? firstThrowable : "no exception in its output";
    }

    String text() {
        StringBuilder s = new StringBuilder();
        for (String line : kept) {
            s.append(line).append(System.lineSeparator());
        }
        if (!partial.isEmpty()) {
            s.append(partial).append(System.lineSeparator());
        }
        return s.toString();
    }
}
