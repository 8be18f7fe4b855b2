package io.whatsappoutbox.examples.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the CLI reads and writes besides the database: environment variables, standard input (the
 * confirmation prompt), standard output (results) and standard error (prompts, progress, errors).
 * Tests pass their own, so a command runs in-process with nothing global touched.
 *
 * @param processUser the name of the user the process runs as, the operator when neither
 *     {@code --operator} nor {@code $USER} says (cron and {@code kubectl exec} set no {@code $USER});
 *     null or {@code ?} when the system does not know it
 */
public record CliEnvironment(Map<String, String> variables, BufferedReader in, PrintWriter out, PrintWriter err,
        String processUser) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    public static CliEnvironment of(Map<String, String> variables, Reader in, PrintWriter out, PrintWriter err) {
        return new CliEnvironment(variables, new BufferedReader(in), out, err, System.getProperty("user.name"));
    }

    /** The process's own environment and standard streams. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), System.getProperty("user.name"));
    }

    /**
     * Who runs the command when {@code --operator} is not given: {@code $USER}, {@code $USERNAME},
     * then the process's user; null when none is known.
     */
    public String defaultOperator() {
        String name = variable("USER") != null ? variable("USER") : variable("USERNAME");
        if (name == null && processUser != null && !processUser.isBlank() && !"?".equals(processUser.strip())) {
            name = processUser.strip();
        }
        return name;
    }

    /** A variable, or null when unset or blank. */
    public String variable(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
