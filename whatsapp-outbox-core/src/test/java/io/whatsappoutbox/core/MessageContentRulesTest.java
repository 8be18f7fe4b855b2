package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.testing.Contents;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each of Meta's limits refuses a request before anything is written, naming the field and the rule. */
class MessageContentRulesTest {
    static final URI PHOTO = URI.create("https://cdn.example.com/42.jpg");
    static final Template REMINDER = Template.named("appointment_reminder", "fr").body("lundi");

    static List<MessageContent> examples() {
        return Contents.examples();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void acceptsEveryExampleOfEveryType(MessageContent content) {
        assertThat(request(content).content()).isEqualTo(content);
    }

    @Test
    void everyKindOfContentHasAnExampleAndItsRulesAreApplied() {
        for (Class<?> kind : MessageContent.class.getPermittedSubclasses()) {
            List<MessageContent> ofKind = examples().stream().filter(kind::isInstance).toList();

            assertThat(ofKind).as(kind.getSimpleName()).isNotEmpty();
            // SMS carries text only: every other kind's own rules refuse it there
            if (kind != MessageContent.Text.class) {
                assertThatThrownBy(() -> OutboundMessageRequest.sms("org-1", "+33612345678").content(ofKind.get(0))
                        .idempotencyKey("k-1").build()).as(kind.getSimpleName())
                        .isInstanceOf(InvalidInputException.class);
            }
        }
    }

    @Test
    void theFluentTemplateReadsAsTheApprovedTemplate() {
        Template t = Template.named("appointment_reminder", "fr").headerImage(PHOTO).body("lundi 10h", "12 rue X")
                .urlButton(0, "V-123").quickReplyButton(1, "confirm:42");
        assertThat(t.header()).isEqualTo(new Template.Header(Template.Header.Type.IMAGE, null, null, null, PHOTO, null, null));
        assertThat(t.parameters()).containsExactly(Template.Parameter.positional("lundi 10h"),
                Template.Parameter.positional("12 rue X"));
        assertThat(t.buttons()).containsExactly(new Template.Button(Template.Button.Type.URL, 0, "V-123"),
                new Template.Button(Template.Button.Type.QUICK_REPLY, 1, "confirm:42"));
        assertThat(t.isFreeForm()).isFalse();
        assertThat(t.inReplyTo(Contents.WAMID).isFreeForm()).isFalse();
        assertThat(t.inReplyTo(Contents.WAMID).templateName()).contains("appointment_reminder");
    }

    @Test
    void aTemplateParameterMayHoldFourSpacesInARowButNotFive() {
        assertThat(request(MessageContent.template("t", "fr", "a    b"))).isNotNull();
        rejects(MessageContent.template("t", "fr", "a     b"), "template.parameters[0].text", "4 consecutive spaces");
        rejects(MessageContent.template("t", "fr", "a\tb"), "template.parameters[0].text", "tabs");
        rejects(REMINDER.headerText("a\nb"), "template.header.text", "new lines");
    }

    @Test
    void checksTemplateHeaders() {
        rejects(REMINDER.headerText("h".repeat(61)), "template.header.text", "at most 60");
        rejects(REMINDER.header(Template.Header.media(MediaKind.IMAGE, "1", PHOTO, null)), "template.header",
                "exactly one of media id or link");
        rejects(REMINDER.header(Template.Header.media(MediaKind.IMAGE, null, PHOTO, "a.jpg")), "template.header.filename",
                "only documents");
        rejects(REMINDER.headerImage(URI.create("ftp://x.io/a.jpg")), "template.header.link", "https");
        rejects(REMINDER.headerLocation(Location.of(48.8, 2.3)), "template.header.location.name", "required");
        rejects(REMINDER.headerLocation(Location.of(91, 2.3, "A", "B")), "template.header.location.latitude", "-90");
        rejects(Template.named("t", "fr").body(Template.Parameter.named("a", "x")).headerText("h"),
                "template.header.parameterName", "all named or all positional");
        assertThatThrownBy(() -> Template.Header.media(MediaKind.AUDIO, "1", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksCurrencyAndDateParameters() {
        rejects(Template.named("t", "fr").body(Template.Parameter.currency("12 €", "eur", 12_000)),
                "template.parameters[0].currencyCode", "ISO 4217");
        rejects(Template.named("t", "fr").body(Template.Parameter.currency("12 €", "EUR", -1)),
                "template.parameters[0].amount1000", "0 or more");
        rejects(Template.named("t", "fr").body(new Template.Parameter(null, "x", Template.Parameter.Type.CURRENCY, "EUR",
                null)), "template.parameters[0].amount1000", "required");
        rejects(Template.named("t", "fr").body(Template.Parameter.dateTime(" ")), "template.parameters[0].text",
                "required");
    }

    @Test
    void checksTemplateButtons() {
        rejects(REMINDER.urlButton(10, "x"), "template.buttons[0].index", "0 to 9");
        rejects(REMINDER.urlButton(0, "x").quickReplyButton(0, "y"), "template.buttons[1].index", "one parameter per button");
        rejects(REMINDER.urlButton(0, "a b"), "template.buttons[0].value", "without spaces");
        rejects(REMINDER.urlButton(0, "x".repeat(2001)), "template.buttons[0].value", "at most 2000");
        rejects(REMINDER.quickReplyButton(1, "p".repeat(257)), "template.buttons[0].value", "at most 256");
        rejects(REMINDER.copyCodeButton(1, "C".repeat(16)), "template.buttons[0].value", "at most 15");
        rejects(Template.named("login", "en").oneTimePassword("1234567890123456"), "template.buttons[0].value",
                "at most 15");
        rejects(Template.named("login", "en").body("1").button(new Template.Button(Template.Button.Type.ONE_TIME_PASSWORD,
                0, "2")), "template.parameters", "the code of its button");
        Template many = REMINDER;
        for (int i = 0; i < 11; i++) {
            many = many.quickReplyButton(i, "p" + i);
        }
        rejects(many, "template.buttons", "0 to 10");
    }

    @Test
    void theComponentsEscapeHatchReplacesTheTypedParts() {
        Template raw = Template.named("carousel", "fr").components("[{\"type\":\"carousel\",\"cards\":[]}]");
        assertThat(raw.parameters()).isEmpty();
        rejects(Template.named("t", "fr").components("{\"type\":\"body\"}"), "template.components", "JSON array");
        rejects(new Template("t", "fr", List.of(Template.Parameter.positional("a")), null, List.of(), "[]"),
                "template.components", "not both");
        rejects(Template.named("t", "fr").components(" "), "template.components", "required");
    }

    @Test
    void checksMediaOfEveryKind() {
        rejects(new Media(MediaKind.AUDIO, "1", null, "caption", null), "media.caption", "images, videos and documents");
        rejects(new Media(MediaKind.STICKER, "1", null, null, "a.webp"), "media.filename", "only documents");
        rejects(Media.videoById("1", "c".repeat(1025)), "media.caption", "at most 1024");
        rejects(Media.videoByLink(null, null), "media", "exactly one");
        rejects(Media.stickerById("id with spaces"), "media.id", "media id");
    }

    @Test
    void checksLocations() {
        rejects(Location.of(-90.5, 0), "location.latitude", "-90 and 90");
        rejects(Location.of(0, 180.5), "location.longitude", "-180 and 180");
        rejects(Location.of(Double.NaN, 0), "location.latitude", "decimal degrees");
        rejects(Location.of(0, 0, "n".repeat(1025), null), "location.name", "at most 1024");
        rejects(Location.of(0, 0, " ", null), "location.name", "not blank");
    }

    @Test
    void checksContacts() {
        Contacts.Name onlyFormatted = new Contacts.Name("Marc", null, null, null, null, null);
        rejects(new Contacts(List.of()), "contacts", "1 to 20");
        rejects(Contacts.of(Contacts.Contact.of(onlyFormatted)), "contacts[0].name", "one more part");
        rejects(Contacts.of(Contacts.Contact.of(Contacts.Name.of(null, "Marc", null))), "contacts[0].name.formattedName",
                "required");
        rejects(Contacts.of(Contacts.Contact.of(Contacts.Name.of("Marc", "Marc", null), new Contacts.Phone(null, "CELL",
                "+33612345678"))), "contacts[0].phones[0].waId", "digits");
        rejects(Contacts.of(new Contacts.Contact(Contacts.Name.of("Marc", "Marc", null), null, null, null, null, null,
                "1985-02-30")), "contacts[0].birthday", "YYYY-MM-DD");
    }

    @Test
    void checksReactions() {
        rejects(Reaction.of(Contents.WAMID, "ok"), "reaction.emoji", "one emoji");
        rejects(Reaction.of(Contents.WAMID, "👍 👍"), "reaction.emoji", "one emoji");
        rejects(Reaction.of("wamid with spaces", "👍"), "reaction.messageId", "message id");
        rejects(Reaction.of(Contents.WAMID, "👍").inReplyTo(Contents.WAMID), "context", "reaction");
        assertThat(request(Reaction.of(Contents.WAMID, "👨‍👩‍👧")).content()).isNotNull();
    }

    @Test
    void checksInteractiveLists() {
        InteractiveList.Row row = InteractiveList.Row.of("a", "A");
        rejects(InteractiveList.of("?", "b".repeat(21), InteractiveList.Section.of(null, row)), "interactive.button",
                "at most 20");
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of("A", row), InteractiveList.Section.of(null,
                InteractiveList.Row.of("b", "B"))), "interactive.sections[1].title", "more than one section");
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of("A", row, row)),
                "interactive.sections[0].rows[1].id", "unique");
        InteractiveList.Row[] rows = new InteractiveList.Row[11];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = InteractiveList.Row.of("r" + i, "R" + i);
        }
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of(null, rows)), "interactive.sections",
                "at most 10 rows");
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of("t".repeat(25), row)),
                "interactive.sections[0].title", "at most 24");
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of(null, new InteractiveList.Row("i".repeat(201),
                "A", "d".repeat(73)))), "interactive.sections[0].rows[0].id", "at most 200");
        rejects(InteractiveList.of("?", "Voir", InteractiveList.Section.of(null, new InteractiveList.Row("a", "A",
                "d".repeat(73)))), "interactive.sections[0].rows[0].description", "at most 72");
    }

    @Test
    void checksCallToActionAndMediaHeaders() {
        rejects(CallToActionUrl.of("?", "l".repeat(21), URI.create("https://a.io")), "interactive.displayText",
                "at most 20");
        rejects(CallToActionUrl.of("?", "Voir", URI.create("mailto:a@b.c")), "interactive.url", "https");
        rejects(new CallToActionUrl("?", "Voir", URI.create("https://a.io"), "Plan", Media.imageByLink(PHOTO, null),
                null), "interactive.header", "one header");
        rejects(InteractiveButtons.of("?", new ReplyButton("a", "A")).withHeaderMedia(Media.audioById("1")),
                "interactive.headerMedia.kind", "an image, a video or a document");
        rejects(InteractiveButtons.of("?", new ReplyButton("a", "A")).withHeaderMedia(Media.imageById("1", "caption")),
                "interactive.headerMedia.caption", "no caption");
    }

    @Test
    void checksRepliesInContext() {
        rejects(MessageContent.text("Oui").inReplyTo(null), "context.messageId", "required");
        rejects(MessageContent.text("Oui").inReplyTo("not a wamid"), "context.messageId", "message id");
        rejects(new InReplyTo(Contents.WAMID, null), "content", "required");
        rejects(MessageContent.text("").inReplyTo(Contents.WAMID), "text", "required");
        assertThat(MessageContent.text("a").inReplyTo("wamid.1").inReplyTo(Contents.WAMID))
                .isEqualTo(new InReplyTo(Contents.WAMID, MessageContent.text("a")));
        assertThatThrownBy(() -> OutboundMessageRequest.sms("org-1", "+33612345678")
                .content(MessageContent.text("a").inReplyTo(Contents.WAMID)).build())
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("context")).isTrue());
    }

    @Test
    void everyNewTypeIsWhatsAppOnly() {
        for (MessageContent c : List.<MessageContent>of(Location.of(0, 0), Reaction.removal(Contents.WAMID),
                Media.videoById("1", null), CallToActionUrl.of("?", "Voir", URI.create("https://a.io")))) {
            assertThatThrownBy(() -> OutboundMessageRequest.sms("org-1", "+33612345678").content(c).build())
                    .as(c.toString()).isInstanceOfSatisfying(InvalidInputException.class,
                            e -> assertThat(e.getMessage()).contains("WHATSAPP only"));
        }
    }

    static OutboundMessageRequest request(MessageContent content) {
        return OutboundMessageRequest.whatsapp("org-1", "+33612345678").idempotencyKey("k-1").content(content).build();
    }

    static void rejects(MessageContent content, String field, String rule) {
        assertThatThrownBy(() -> request(content))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> {
                    assertThat(e.concerns(field)).as("violations %s name %s", e.violations(), field).isTrue();
                    assertThat(e.getMessage()).contains(rule);
                });
    }
}
