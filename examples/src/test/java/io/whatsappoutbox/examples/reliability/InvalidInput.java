package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.jdbc.testing.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Bad values, and the one check every entry point must pass with them: an
 * {@link InvalidInputException} whose violations name the field, and nothing written.
 */
final class InvalidInput {
    static final String SQL_INJECTION = "x' OR '1'='1'; DROP TABLE outbound_message; --";
    static final String SCRIPT_INJECTION = "<script>alert(document.cookie)</script>";

    private InvalidInput() {}

    /** One entry point, one field, one bad value. */
    record Case(String entryPoint, String field, String label, ThrowingCallable call) {
        @Override
        public String toString() {
            return entryPoint + " " + field + " = " + label;
        }
    }

    /** Collects the cases of one field of one entry point. */
    static final class Cases {
        final List<Case> all = new ArrayList<>();

        /** Every value in {@code values} given to {@code field} of {@code entryPoint} must be refused. */
        Cases strings(String entryPoint, String field, Consumer<String> call, String... values) {
            for (String v : values) {
                all.add(new Case(entryPoint, field, label(v), () -> call.accept(v)));
            }
            return this;
        }

        /** null, empty, blank, too long, and the two injections (which a pattern refuses). */
        Cases text(String entryPoint, String field, int max, Consumer<String> call, String... wrongFormat) {
            strings(entryPoint, field, call, null, "", "   ", "a".repeat(max + 1), SQL_INJECTION, SCRIPT_INJECTION);
            return strings(entryPoint, field, call, wrongFormat);
        }

        Cases one(String entryPoint, String field, String label, ThrowingCallable call) {
            all.add(new Case(entryPoint, field, label, call));
            return this;
        }

        Stream<Case> stream() {
            return all.stream();
        }
    }

    static String label(String v) {
        if (v == null) {
            return "null";
        }
        return v.length() > 40 ? "'" + v.substring(0, 12) + "...' (" + v.length() + " chars)" : "'" + v + "'";
    }

    /** Refused with the field named, and the tables exactly as they were. */
    static void assertRefused(Case c, Sql sql) {
        TableSnapshot before = TableSnapshot.of(sql);
        Throwable thrown = catchThrowable(c.call());
        assertThat(thrown).as(c.toString()).isInstanceOf(InvalidInputException.class);
        assertThat(((InvalidInputException) thrown).violations())
                .as("%s names the field: %s", c, thrown.getMessage())
                .anySatisfy(v -> assertThat(v.field()).isEqualTo(c.field()));
        assertThat(TableSnapshot.of(sql)).as("nothing written by %s", c).isEqualTo(before);
    }
}
