package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.testing.Contents;
import java.net.URI;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class MessageContentProperties {

    @Property(tries = 500)
    void everyContentWithinMetasLimitsIsAccepted(@ForAll("contents") MessageContent content) {
        assertThat(OutboundMessageRequest.whatsapp("org-1", "+33612345678").content(content).build().content())
                .isEqualTo(content);
    }

    /** What a content says never reaches a log line through toString: only its type and shape. */
    @Property(tries = 300)
    void toStringNamesTheShapeNeverTheWords(@ForAll("secretContents") MessageContent content) {
        assertThat(content.toString()).doesNotContain("SECRET").doesNotContain("+33612345678");
    }

    /** Each text limit, at every length around it: accepted up to the limit, refused one past it. */
    @Property(tries = 400)
    void eachTextLimitHoldsExactlyAtItsValue(@ForAll("limits") Limit limit, @ForAll @IntRange(min = -3, max = 3) int delta) {
        int length = Math.max(1, limit.max() + delta);
        MessageContent content = limit.build().apply("é".repeat(length));
        boolean accepted;
        try {
            OutboundMessageRequest.whatsapp("org-1", "+33612345678").content(content).build();
            accepted = true;
        } catch (InvalidInputException e) {
            accepted = false;
            assertThat(e.concerns(limit.field())).as(e.getMessage()).isTrue();
            assertThat(e.getMessage()).contains("at most " + limit.max());
        }
        assertThat(accepted).as("%s with %d characters", limit.field(), length).isEqualTo(length <= limit.max());
    }

    record Limit(String field, int max, Function<String, MessageContent> build) {
        @Override
        public String toString() {
            return field + " <= " + max;
        }
    }

    @Provide
    Arbitrary<Limit> limits() {
        URI link = URI.create("https://a.io/x");
        Template t = Template.named("t", "fr");
        ReplyButton ok = new ReplyButton("ok", "OK");
        InteractiveList.Row row = InteractiveList.Row.of("r", "R");
        return Arbitraries.of(
                new Limit("text", 4096, MessageContent::text),
                new Limit("template.parameters[0].text", 1024, s -> t.body(s)),
                new Limit("template.header.text", 60, s -> t.headerText(s)),
                new Limit("template.buttons[0].value", 256, s -> t.quickReplyButton(0, s)),
                new Limit("template.buttons[0].value", 15, s -> t.copyCodeButton(0, s)),
                new Limit("template.header.filename", 240, s -> t.headerDocument(link, s)),
                new Limit("media.caption", 1024, s -> Media.videoByLink(link, s)),
                new Limit("media.filename", 240, s -> Media.documentByLink(link, null, s)),
                new Limit("location.name", Location.TEXT_MAX, s -> Location.of(1, 2, s, null)),
                new Limit("location.address", Location.TEXT_MAX, s -> Location.of(1, 2, "n", s)),
                new Limit("contacts[0].name.formattedName", Contacts.FIELD_MAX,
                        s -> Contacts.of(Contacts.Contact.of(Contacts.Name.of(s, "a", null)))),
                new Limit("interactive.body", 1024, s -> InteractiveButtons.of(s, ok)),
                new Limit("interactive.header", 60, s -> new InteractiveButtons("?", List.of(ok), s, null)),
                new Limit("interactive.footer", 60, s -> new InteractiveButtons("?", List.of(ok), null, s)),
                new Limit("interactive.buttons[0].title", 20, s -> InteractiveButtons.of("?", new ReplyButton("a", s))),
                new Limit("interactive.buttons[0].id", 256, s -> InteractiveButtons.of("?", new ReplyButton(s, "a"))),
                new Limit("interactive.button", 20, s -> InteractiveList.of("?", s, InteractiveList.Section.of(null, row))),
                new Limit("interactive.sections[0].title", 24,
                        s -> InteractiveList.of("?", "b", InteractiveList.Section.of(s, row))),
                new Limit("interactive.sections[0].rows[0].id", 200,
                        s -> InteractiveList.of("?", "b", InteractiveList.Section.of(null, InteractiveList.Row.of(s, "R")))),
                new Limit("interactive.sections[0].rows[0].title", 24,
                        s -> InteractiveList.of("?", "b", InteractiveList.Section.of(null, InteractiveList.Row.of("r", s)))),
                new Limit("interactive.sections[0].rows[0].description", 72, s -> InteractiveList.of("?", "b",
                        InteractiveList.Section.of(null, new InteractiveList.Row("r", "R", s)))),
                new Limit("interactive.displayText", 20, s -> CallToActionUrl.of("?", s, link)),
                new Limit("interactive.body", 1024, s -> CallToActionUrl.of(s, "Voir", link)));
    }

    @Provide
    Arbitrary<MessageContent> contents() {
        return Contents.any();
    }

    @Provide
    Arbitrary<MessageContent> secretContents() {
        return Contents.any().filter(c -> !(c instanceof Template t && t.components() != null)).map(this::withSecret);
    }

    /** The same shapes with words a log must never show. */
    private MessageContent withSecret(MessageContent c) {
        String s = "SECRET +33612345678";
        URI link = URI.create("https://cdn.example.com/SECRET");
        if (c instanceof MessageContent.Text t) {
            return new MessageContent.Text(s, t.previewUrl());
        }
        if (c instanceof Template t) {
            return t.body(s, s).headerText("SECRET").quickReplyButton(3, "SECRET");
        }
        if (c instanceof Media m) {
            return new Media(m.kind(), null, link, m.kind().captioned() ? s : null, null);
        }
        if (c instanceof Location l) {
            return new Location(l.latitude(), l.longitude(), s, s);
        }
        if (c instanceof Contacts) {
            return Contacts.of(new Contacts.Contact(new Contacts.Name(s, s, s, s, s, s),
                    List.of(new Contacts.Phone(s, "CELL", "33612345678")), List.of(new Contacts.Email(s, "HOME")),
                    List.of(new Contacts.Url(s, "WORK")), List.of(new Contacts.Address(s, s, s, s, s, "FR", "HOME")),
                    new Contacts.Organization(s, s, s), null));
        }
        if (c instanceof InteractiveButtons b) {
            return new InteractiveButtons(s, List.of(new ReplyButton("ok", s)), s, s);
        }
        if (c instanceof InteractiveList) {
            return new InteractiveList(s, s, List.of(InteractiveList.Section.of(s, new InteractiveList.Row("r", s, s))),
                    s, s);
        }
        if (c instanceof CallToActionUrl) {
            return new CallToActionUrl(s, s, link, s, null, s);
        }
        if (c instanceof InReplyTo r) {
            return withSecret(r.content()).inReplyTo(Contents.WAMID);
        }
        return c;
    }
}
