package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import java.net.URI;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OutboundMessageRequestTest {

    private static OutboundMessageRequest.Builder valid() {
        return OutboundMessageRequest.whatsapp("org-1", "+33612345678")
                .idempotencyKey("rdv-42")
                .template("appointment_reminder", "fr", "lundi");
    }

    private static void assertRejected(UnaryOperator<OutboundMessageRequest.Builder> change, String field, String rule) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns(field)).as("violations %s name %s", e.violations(), field).isTrue();
                    assertThat(e.getMessage()).contains(field).contains(rule);
                });
    }

    @Test
    void buildsAValidTemplateRequest() {
        OutboundMessageRequest r = valid().dossierId("D-2024-001").createdBy("crm-job").maxAttempts(3).build();
        assertThat(r.channel()).isEqualTo(Channel.WHATSAPP);
        assertThat(r.to().value()).isEqualTo("+33612345678");
        assertThat(r.content().templateName()).contains("appointment_reminder");
        assertThat(r.maxAttempts()).isEqualTo(3);
    }

    @Test
    void generatesAnIdempotencyKeyWhenNoneIsGiven() {
        OutboundMessageRequest r = valid().idempotencyKey(null).build();
        assertThat(r.idempotencyKey()).isNotBlank();
    }

    @Test
    void rejectsABadRecipientAsTo() {
        assertRejected(b -> b.to("0612345678"), "to", "E.164");
        assertRejected(b -> b.to((String) null), "to", "required");
    }

    @Test
    void rejectsBadOrgIds() {
        assertRejected(b -> b.orgId(null), "orgId", "required");
        assertRejected(b -> b.orgId(""), "orgId", "required");
        assertRejected(b -> b.orgId("org 1"), "orgId", "letters, digits");
        assertRejected(b -> b.orgId("x".repeat(65)), "orgId", "at most 64");
        assertRejected(b -> b.orgId("org';--"), "orgId", "letters, digits");
    }

    @Test
    void rejectsBadIdempotencyKeys() {
        assertRejected(b -> b.idempotencyKey(""), "idempotencyKey", "required");
        assertRejected(b -> b.idempotencyKey("k".repeat(129)), "idempotencyKey", "at most 128");
        assertRejected(b -> b.idempotencyKey("with space"), "idempotencyKey", "letters, digits");
        assertRejected(b -> b.idempotencyKey("é"), "idempotencyKey", "letters, digits");
    }

    @Test
    void rejectsOutOfRangeAttemptsAndBadReferences() {
        assertRejected(b -> b.maxAttempts(0), "maxAttempts", "between 1 and 20");
        assertRejected(b -> b.maxAttempts(21), "maxAttempts", "between 1 and 20");
        assertRejected(b -> b.dossierId("<script>"), "dossierId", "at most 64 letters");
        assertRejected(b -> b.createdBy("a b"), "createdBy", "at most 64 letters");
        assertRejected(b -> b.channel(null), "channel", "required");
        assertRejected(b -> b.content(null), "content", "required");
    }

    @Test
    void reportsEveryViolationAtOnce() {
        assertThatThrownBy(() -> OutboundMessageRequest.builder().idempotencyKey("").build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
                        .extracting(InvalidInputException.Violation::field)
                        .contains("orgId", "channel", "to", "content", "idempotencyKey"));
    }

    @Test
    void checksTextLengthPerChannel() {
        assertThat(valid().text("a".repeat(4096)).build()).isNotNull();
        assertRejected(b -> b.text("a".repeat(4097)), "text", "at most 4096");
        assertRejected(b -> b.text(""), "text", "required");
        assertThat(valid().channel(Channel.SMS).text("a".repeat(1600)).build()).isNotNull();
        assertRejected(b -> b.channel(Channel.SMS).text("a".repeat(1601)), "text", "at most 1600");
        // emoji count as one character each, as Meta counts them
        assertThat(valid().text("😀".repeat(4096)).build()).isNotNull();
    }

    @Test
    void checksTemplates() {
        assertRejected(b -> b.template("Appointment Reminder", "fr"), "template.name", "lowercase");
        assertRejected(b -> b.template("x".repeat(513), "fr"), "template.name", "at most 512");
        assertRejected(b -> b.template("reminder", "french"), "template.language", "language code");
        assertRejected(b -> b.template("reminder", null), "template.language", "required");
        assertRejected(b -> b.template("reminder", "fr", "a\nb"), "template.parameters[0].text", "new lines");
        assertRejected(b -> b.template("reminder", "fr", ""), "template.parameters[0].text", "required");
        assertRejected(b -> b.template("reminder", "fr", "x".repeat(1025)), "template.parameters[0].text",
                "at most 1024");
        assertRejected(b -> b.template("reminder", "en_US", List.of(Template.Parameter.named("first_name", "Ana"),
                Template.Parameter.positional("x"))), "template.parameters", "all named or all positional");
        assertRejected(b -> b.template("reminder", "en_US", List.of(Template.Parameter.named("Bad-Name", "Ana"))),
                "template.parameters[0].name", "lowercase");
        assertRejected(b -> b.channel(Channel.SMS), "template", "WHATSAPP only");
        assertThat(valid().content(new Template("reminder", "pt_BR",
                List.of(Template.Parameter.named("first_name", "Ana")))).build()).isNotNull();
    }

    @Test
    void checksMedia() {
        assertThat(valid().content(Media.imageByLink(URI.create("https://cdn.example.com/a.png"), "hi")).build())
                .isNotNull();
        assertThat(valid().content(Media.documentById("1234567890", null, "invoice.pdf")).build()).isNotNull();
        assertRejected(b -> b.content(new Media(MessageContent.MediaKind.IMAGE, null, null, null, null)),
                "media", "exactly one of media id or link");
        assertRejected(b -> b.content(new Media(MessageContent.MediaKind.IMAGE, "1", URI.create("https://x.io/a"),
                null, null)), "media", "exactly one of media id or link");
        assertRejected(b -> b.content(Media.imageByLink(URI.create("ftp://x.io/a.png"), null)), "media.link",
                "https://");
        assertRejected(b -> b.content(Media.imageByLink(URI.create("javascript:alert(1)"), null)), "media.link",
                "https://");
        assertRejected(b -> b.content(Media.imageById("1", "c".repeat(1025))), "media.caption", "at most 1024");
        assertRejected(b -> b.content(new Media(MessageContent.MediaKind.IMAGE, "1", null, null, "a.png")),
                "media.filename", "only documents");
        assertRejected(b -> b.channel(Channel.SMS).content(Media.imageById("1", null)), "media", "WHATSAPP only");
    }

    @Test
    void checksInteractiveButtons() {
        ReplyButton yes = new ReplyButton("yes", "Oui");
        assertThat(valid().content(InteractiveButtons.of("Confirmez-vous ?", yes, new ReplyButton("no", "Non")))
                .build()).isNotNull();
        assertRejected(b -> b.content(InteractiveButtons.of("?")), "interactive.buttons", "1 to 3");
        assertRejected(b -> b.content(InteractiveButtons.of("?", yes, new ReplyButton("b", "B"),
                new ReplyButton("c", "C"), new ReplyButton("d", "D"))), "interactive.buttons", "1 to 3");
        assertRejected(b -> b.content(InteractiveButtons.of("?", new ReplyButton("a", "t".repeat(21)))),
                "interactive.buttons[0].title", "at most 20");
        assertRejected(b -> b.content(InteractiveButtons.of("?", yes, new ReplyButton("yes", "Autre"))),
                "interactive.buttons[1].id", "unique");
        assertRejected(b -> b.content(InteractiveButtons.of("b".repeat(1025), yes)), "interactive.body",
                "at most 1024");
        assertRejected(b -> b.content(new InteractiveButtons("?", List.of(yes), "h".repeat(61), null)),
                "interactive.header", "at most 60");
        assertRejected(b -> b.content(new InteractiveButtons("?", List.of(yes), null, "f".repeat(61))),
                "interactive.footer", "at most 60");
    }

    @Test
    void rejectsPayloadsAboveTheSizeLimit() {
        List<Template.Parameter> big = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> Template.Parameter.positional("é".repeat(1000))).toList();
        assertRejected(b -> b.template("reminder", "fr", big), "content", "at most 65536 bytes");
    }

    @Test
    void fingerprintDiffersWhenContentOrRecipientDiffers() {
        String a = valid().build().fingerprint();
        assertThat(valid().build().fingerprint()).isEqualTo(a);
        assertThat(valid().template("appointment_reminder", "fr", "mardi").build().fingerprint()).isNotEqualTo(a);
        assertThat(valid().to("+33612345679").build().fingerprint()).isNotEqualTo(a);
        assertThat(valid().dossierId("D1").build().fingerprint()).isNotEqualTo(a);
        // the key itself is not part of what the message says
        assertThat(valid().idempotencyKey("other").build().fingerprint()).isEqualTo(a);
    }
}
