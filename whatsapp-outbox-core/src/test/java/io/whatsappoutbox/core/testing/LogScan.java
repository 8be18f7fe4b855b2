package io.whatsappoutbox.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads every line the library logged during a module's test run (the {@code SCAN} appender of
 * {@code logback-test.xml} writes them to {@code target/test-logs}) and fails the build when one
 * holds an access token, a webhook secret, an unmasked phone number (however it is written), a
 * statement's bound values or a message's words. Run by Maven in the
 * {@code verify} phase of every module.
 */
public final class LogScan {
    /** The secrets the test suites use, and the shapes real ones have. */
    static final List<Pattern> SECRETS = List.of(
            Pattern.compile("EAA[A-Za-z0-9]{6,}"),                       // Meta access tokens
            Pattern.compile("(?i)app-secret[-a-z0-9]*"),
            Pattern.compile("(?i)demo-(meta-app-secret|twilio-auth-token|admin-token|access-token)"),
            Pattern.compile("f00dfeedcafe1234beef5678deadc0de"),        // the Twilio test token
            Pattern.compile("(?i)verify-token[-a-z0-9]*"),
            Pattern.compile("(?i)Bearer\\s+[A-Za-z0-9._-]{8,}"),
            Pattern.compile("(?i)(sha256=)[0-9a-f]{64}"));               // a presented signature
    /**
     * A phone number with all its digits: '+' and 7 to 15 digits, written together or with spaces,
     * dots, dashes or parentheses ({@code +1 (415) 555-0100}); a French mobile without '+'; a
     * national number in its usual groups ({@code 06 12 34 56 78}, {@code (415) 555-0100}).
     */
    static final Pattern PHONE = Pattern.compile("(?<![0-9A-Za-z*])(\\+[1-9](?:[ .()-]{0,2}\\d){6,14}|33[67]\\d{8}"
            + "|0[1-9](?:[ .-]\\d{2}){4}|\\(?\\d{3}\\)?[ .-]\\d{3}[ .-]\\d{4})(?![0-9])");
    /** What carries a message's words or bound values into a log line, and why it is refused. */
    static final Map<Pattern, String> PERSONAL = Map.of(
            Pattern.compile("\\[statement:\"|arguments:\\s*\\{\\s*positional"),
            "a statement's bound values (Jdbi's exception message)",
            Pattern.compile("\\b(?:Text|Template|Media|InteractiveButtons|ReplyButton|Template.Parameter)\\[[a-zA-Z]+="),
            "a message's content (a record's toString)",
            Pattern.compile("InboundMessage\\[[^\\]]*\\btext=(?!null\\b|\\d+ chars)"),
            "an inbound message's text (a record's toString)");

    private LogScan() {}

    public static void main(String[] args) throws IOException {
        List<String> problems = new ArrayList<>();
        long lines = 0;
        for (String arg : args) {
            Path dir = Path.of(arg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                    List<String> content = Files.readAllLines(file, StandardCharsets.UTF_8);
                    lines += content.size();
                    for (int i = 0; i < content.size(); i++) {
                        String problem = problem(content.get(i));
                        if (problem != null && problems.size() < 50) {
                            problems.add(file.getFileName() + ":" + (i + 1) + ": " + problem + " in: " + content.get(i));
                        }
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The test run logged secrets or phone numbers (" + problems.size()
                    + " line(s) shown):\n" + String.join("\n", problems));
        }
        System.out.println("LogScan: " + lines + " log line(s) scanned, no secret and no unmasked phone number");
    }

    /** What a line must not hold, or null when it is clean. */
    static String problem(String line) {
        for (Pattern secret : SECRETS) {
            if (secret.matcher(line).find()) {
                return "a secret (" + secret.pattern() + ")";
            }
        }
        for (Map.Entry<Pattern, String> shape : PERSONAL.entrySet()) {
            if (shape.getKey().matcher(line).find()) {
                return shape.getValue();
            }
        }
        Matcher phone = PHONE.matcher(line);
        if (phone.find()) {
            return "an unmasked phone number";
        }
        return null;
    }
}
