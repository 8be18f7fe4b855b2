package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.MessageContent.Text;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.testing.Contents;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContentCodecTest {
    final ContentCodec codec = new ContentCodec();

    static List<MessageContent> contents() {
        List<MessageContent> all = new java.util.ArrayList<>(Contents.examples());
        all.addAll(List.of(
                new Text("Bonjour \"Léa\", à demain\n", true),
                new Text("no preview", false),
                new Template("appointment_reminder", "fr", List.of(Template.Parameter.positional("lundi 9h"),
                        Template.Parameter.positional("Dr Martin"))),
                new Template("lead_follow_up", "pt_BR", List.of(new Template.Parameter("first_name", "Ana"))),
                new Template("no_parameters", "en", List.of()),
                new Media(MediaKind.IMAGE, "1234567890", null, "the plan", null),
                new Media(MediaKind.DOCUMENT, null, URI.create("https://example.com/a.pdf"), null, "a.pdf"),
                new InteractiveButtons("Confirm?", List.of(new ReplyButton("yes", "Yes"), new ReplyButton("no", "No")),
                        "Visit", "Reply below")));
        return all;
    }

    /** Rows written before V3, byte for byte as that encoder wrote them, and as jsonb hands them back. */
    static Stream<Arguments> storedBeforeV3() {
        return Stream.of(
                Arguments.of(ContentType.TEXT, "{\"body\":\"Bonjour\",\"previewUrl\":false}", MessageContent.text("Bonjour")),
                Arguments.of(ContentType.TEXT, "{\"body\": \"Bonjour\", \"previewUrl\": true}", new Text("Bonjour", true)),
                Arguments.of(ContentType.TEMPLATE, "{\"name\":\"appointment_reminder\",\"language\":\"fr\","
                        + "\"parameters\":[{\"text\":\"lundi\"},{\"text\":\"10h\"}]}",
                        MessageContent.template("appointment_reminder", "fr", "lundi", "10h")),
                Arguments.of(ContentType.TEMPLATE, "{\"name\": \"order_update\", \"language\": \"en_US\", "
                        + "\"parameters\": [{\"name\": \"first_name\", \"text\": \"Jeanne\"}]}",
                        new Template("order_update", "en_US", List.of(Template.Parameter.named("first_name", "Jeanne")))),
                Arguments.of(ContentType.TEMPLATE, "{\"name\":\"hello_world\",\"language\":\"en_US\",\"parameters\":[]}",
                        MessageContent.template("hello_world", "en_US")),
                Arguments.of(ContentType.IMAGE, "{\"id\":\"1479537139650973\",\"caption\":\"Le plan\"}",
                        Media.imageById("1479537139650973", "Le plan")),
                Arguments.of(ContentType.DOCUMENT, "{\"link\": \"https://cdn.example.com/c.pdf\", \"filename\": \"c.pdf\"}",
                        Media.documentByLink(URI.create("https://cdn.example.com/c.pdf"), null, "c.pdf")),
                Arguments.of(ContentType.INTERACTIVE_BUTTONS, "{\"body\":\"Confirmez ?\",\"header\":\"Visite\","
                        + "\"footer\":\"Agence\",\"buttons\":[{\"id\":\"yes\",\"title\":\"Oui\"},{\"id\":\"no\",\"title\":\"Non\"}]}",
                        new InteractiveButtons("Confirmez ?", List.of(new ReplyButton("yes", "Oui"),
                                new ReplyButton("no", "Non")), "Visite", "Agence")));
    }

    @ParameterizedTest
    @MethodSource("storedBeforeV3")
    void readsRowsStoredBeforeV3Exactly(ContentType type, String stored, MessageContent expected) {
        assertThat(codec.decode(type, utf8(stored))).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("storedBeforeV3")
    void writesThePreV3ShapesAsBefore(ContentType type, String stored, MessageContent content) {
        // the encoder's own output, without jsonb's spacing: what V1 and V2 stored
        if (!stored.contains(": ")) {
            assertThat(codec.encode(content)).isEqualTo(stored);
        }
    }

    @Property(tries = 400)
    void readsBackEveryTypeItWrites(@ForAll("anyContent") MessageContent content) {
        assertThat(codec.decode(content.type(), utf8(codec.encode(content)))).isEqualTo(content);
    }

    @Provide
    Arbitrary<MessageContent> anyContent() {
        return Contents.any();
    }

    @Test
    void refusesMetaComponentsThatAreNotMetasShapeNamingThePart() {
        assertComponentsRefused("[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"x\"}]", "is not JSON");
        assertComponentsRefused("[]", "1 to 20");
        assertComponentsRefused("[{\"type\":\"bodyy\"}]", "template.components[0].type");
        assertComponentsRefused("[{\"type\":\"body\"},\"header\"]", "template.components[1]");
        assertComponentsRefused("[{\"type\":\"button\",\"index\":0,\"parameters\":[]}]", "template.components[0].sub_type");
        assertComponentsRefused("[{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"x\",\"parameters\":[]}]",
                "template.components[0].index");
        assertComponentsRefused("[{\"type\":\"body\",\"parameters\":[{\"text\":\"x\"}]}]",
                "template.components[0].parameters[0].type");
        assertComponentsRefused("[{\"type\":\"carousel\",\"cards\":[{\"card_index\":0,\"components\":"
                + "[{\"type\":\"carousel\"}]}]}]", "template.components[0].cards[0].components[0].type");
        assertComponentsRefused("[{\"type\":\"carousel\",\"cards\":[{\"components\":[]}]}]",
                "template.components[0].cards[0].card_index");
    }

    private void assertComponentsRefused(String components, String expected) {
        assertThatThrownBy(() -> codec.encode(Template.named("t", "fr").components(components)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(expected);
    }

    @ParameterizedTest
    @MethodSource("contents")
    void readsBackWhatItWrote(MessageContent content) {
        assertThat(codec.decode(content.type(), utf8(codec.encode(content)))).isEqualTo(content);
    }

    @Test
    void readsPostgresJsonbOutputWithItsOwnKeyOrderAndSpacing() {
        // jsonb hands keys back sorted by length then bytes, with a space after each colon
        String stored = "{\"name\": \"appointment_reminder\", \"language\": \"fr\", \"parameters\": [{\"text\": \"x\"}]}";
        assertThat(codec.decode(ContentType.TEMPLATE, utf8(stored)))
                .isEqualTo(new Template("appointment_reminder", "fr", List.of(Template.Parameter.positional("x"))));
    }

    @Test
    void readsJsonbInBinaryTransferWhichStartsWithItsVersionByte() {
        byte[] text = utf8("{\"body\": \"à demain\", \"previewUrl\": \"false\"}");
        byte[] binary = new byte[text.length + 1];
        binary[0] = 1;
        System.arraycopy(text, 0, binary, 1, text.length);
        assertThat(codec.decode(ContentType.TEXT, binary)).isEqualTo(new Text("à demain", false));
    }

    @Test
    void skipsFieldsItDoesNotKnowAndReadsNullsAsAbsent() {
        String stored = "{\"body\": \"hi\", \"previewUrl\": null, \"extra\": {\"nested\": [1, 2]}, \"more\": [3, {\"a\": 1}]}";
        assertThat(codec.decode(ContentType.TEXT, utf8(stored))).isEqualTo(new Text("hi", false));
    }

    @Test
    void aRepeatedKeyKeepsItsLastValueAsJsonbDoes() {
        String stored = "{\"body\": \"first\", \"previewUrl\": \"true\", \"body\": \"last\"}";
        assertThat(codec.decode(ContentType.TEXT, utf8(stored))).isEqualTo(new Text("last", true));
    }

    @Test
    void refusesAPayloadThatIsNotAJsonObject() {
        assertThatThrownBy(() -> codec.decode(ContentType.TEXT, utf8("[1, 2]")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("payload_json");
        assertThatThrownBy(() -> codec.decode(ContentType.TEXT, utf8("{\"body\": ")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("payload_json");
        assertThatThrownBy(() -> codec.decode(ContentType.TEMPLATE, utf8("{\"parameters\": [{\"text\": \"x\"}")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("payload_json");
    }

    private static byte[] utf8(String stored) {
        return stored.getBytes(StandardCharsets.UTF_8);
    }
}
