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
 */
public record CliEnvironment(Map<String, String> variables, BufferedReader in, PrintWriter out, PrintWriter err) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    public static CliEnvironment of(Map<String, String> variables, Reader in, PrintWriter out, PrintWriter err) {
        return new CliEnvironment(variables, new BufferedReader(in), out, err);
    }

    /** The process's own environment and standard streams. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    }

    /** A variable, or null when unset or blank. */
    public String variable(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
