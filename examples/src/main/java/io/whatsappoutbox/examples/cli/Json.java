package io.whatsappoutbox.examples.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.whatsappoutbox.core.Secret;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The {@code --json} output: the API's result records as they are, camelCase keys in declaration
 * order, instants and durations in ISO-8601 ({@code 2026-11-28T10:00:00Z}, {@code PT2H}), dates as
 * {@code 2026-11-28}, absent values as {@code null}. A secret never appears (rotate-secret reads the
 * new one and never shows it).
 */
final class Json {
    private static final ObjectMapper MAPPER = mapper();

    private Json() {}

    private static ObjectMapper mapper() {
        SimpleModule time = new SimpleModule("whatsapp-outbox-cli");
        time.addSerializer(Instant.class, ToStringSerializer.instance);
        time.addSerializer(Duration.class, ToStringSerializer.instance);
        time.addSerializer(LocalDate.class, ToStringSerializer.instance);
        time.addSerializer(Secret.class, new JsonSerializer<>() {
            @Override
            public void serialize(Secret value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString("****");
            }
        });
        return new ObjectMapper().registerModule(time).enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("results are plain records", e);
        }
    }
}
