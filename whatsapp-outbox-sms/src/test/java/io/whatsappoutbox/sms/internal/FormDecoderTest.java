package io.whatsappoutbox.sms.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormDecoderTest {

    static List<FormParam> decode(String body) throws MalformedFormException {
        return FormDecoder.decode(body.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodes_pairs_in_arrival_order_with_repeats() throws Exception {
        assertThat(decode("b=2&a=1&b=3")).containsExactly(new FormParam("b", "2"), new FormParam("a", "1"),
                new FormParam("b", "3"));
    }

    @Test
    void plus_is_space_and_percent_escapes_are_utf8_bytes() throws Exception {
        assertThat(decode("Body=hello+world%21&From=%2B15017122661&N=Gr%C3%BC%C3%9F+%F0%9F%98%80"))
                .containsExactly(new FormParam("Body", "hello world!"), new FormParam("From", "+15017122661"),
                        new FormParam("N", "Grüß 😀"));
    }

    @Test
    void escapes_are_decoded_in_names_too_and_hex_case_does_not_matter() throws Exception {
        assertThat(decode("My%20Name=%e2%82%ac")).containsExactly(new FormParam("My Name", "€"));
    }

    @Test
    void an_equals_sign_in_a_value_is_kept() throws Exception {
        assertThat(decode("q=a=b")).containsExactly(new FormParam("q", "a=b"));
    }

    @Test
    void a_name_without_value_is_an_empty_value() throws Exception {
        assertThat(decode("flag&e=")).containsExactly(new FormParam("flag", ""), new FormParam("e", ""));
    }

    @Test
    void empty_bodies_and_segments_give_nothing() throws Exception {
        assertThat(decode("")).isEmpty();
        assertThat(decode("&&a=1&&")).containsExactly(new FormParam("a", "1"));
    }

    @Test
    void raw_utf8_bytes_are_accepted() throws Exception {
        assertThat(FormDecoder.decode("n=café".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new FormParam("n", "café"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%", "a=%4", "a=%G1", "a=%1G", "%=1", "a=%C3%28", "a=%FF%FE", "a=%ED%A0%80"})
    void broken_escapes_and_invalid_utf8_are_malformed(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOf(MalformedFormException.class);
    }

    @Test
    void raw_latin1_bytes_are_not_utf8() {
        assertThatThrownBy(() -> FormDecoder.decode("n=caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(MalformedFormException.class);
    }

    @Test
    void a_param_never_prints_its_value() {
        assertThat(new FormParam("To", "+33612345678").toString()).doesNotContain("+33612345678").contains("To");
    }
}
