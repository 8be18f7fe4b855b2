package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.ContentType;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.MessageContent.Template;
import io.whatsappoutbox.core.MessageContent.TemplateParameter;
import io.whatsappoutbox.core.MessageContent.Text;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContentCodecTest {
    final ContentCodec codec = new ContentCodec();

    static List<MessageContent> contents() {
        return List.of(
                new Text("Bonjour \"Léa\", à demain\n", true),
                new Text("no preview", false),
                new Template("appointment_reminder", "fr", List.of(TemplateParameter.positional("lundi 9h"),
                        TemplateParameter.positional("Dr Martin"))),
                new Template("lead_follow_up", "pt_BR", List.of(new TemplateParameter("first_name", "Ana"))),
                new Template("no_parameters", "en", List.of()),
                new Media(MediaKind.IMAGE, "1234567890", null, "the plan", null),
                new Media(MediaKind.DOCUMENT, null, URI.create("https://example.com/a.pdf"), null, "a.pdf"),
                new InteractiveButtons("Confirm?", List.of(new ReplyButton("yes", "Yes"), new ReplyButton("no", "No")),
                        "Visit", "Reply below"));
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
                .isEqualTo(new Template("appointment_reminder", "fr", List.of(TemplateParameter.positional("x"))));
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
