package io.whatsappoutbox.examples.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures a reliability test measured, written to {@code target/reliability/<test>.json} and
 * printed, so that docs/reliability.md quotes a real run.
 */
final class Figures {
    static final Path DIR = Path.of("target", "reliability");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String test;
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Figures(String test) {
        this.test = test;
    }

    static Figures of(String test) {
        return new Figures(test);
    }

    Figures put(String name, Object value) {
        values.put(name, value);
        return this;
    }

    /** Adds {@code delta} to a counter (figures of a property test add up over its tries). */
    synchronized Figures add(String name, long delta) {
        values.merge(name, delta, (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
        return this;
    }

    synchronized long get(String name) {
        Object v = values.get(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    synchronized void write() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("test", test);
        out.put("finishedAt", Instant.now().toString());
        out.putAll(values);
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(test + ".json"), JSON.writeValueAsString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("[reliability] " + test + " " + values);
    }
}
