package io.whatsappoutbox.core.testing;

import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.Contacts;
import io.whatsappoutbox.core.InteractiveList;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.MediaKind;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.Reaction;
import java.net.URI;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Valid content of every type: one named example per shape for example-based tests, and
 * generators for property tests (values drawn within Meta's limits, with the characters that break
 * encoders: quotes, backslashes, accents, emoji).
 */
public final class Contents {
    public static final String WAMID = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQTdCNjE0RkE2RjI1OTc0QzlBNAA=";

    private Contents() {}

    /** A real-estate CRM's messages, one per type and template component. */
    public static List<MessageContent> examples() {
        URI photo = URI.create("https://cdn.example.com/flats/42.jpg");
        Location agency = Location.of(48.8566, 2.3522, "Agence du Port", "12 rue X, 75001 Paris");
        return List.of(
                MessageContent.text("Bonjour Léa, votre visite est confirmée ✅"),
                new MessageContent.Text("Voir https://example.com/v/42", true),
                MessageContent.template("appointment_reminder", "fr", "lundi 10h", "12 rue X"),
                new Template("order_update", "en_US", List.of(Template.Parameter.named("first_name", "Jeanne"))),
                MessageContent.template("hello_world", "en_US"),
                Template.named("appointment_reminder", "fr").headerImage(photo).body("lundi 10h", "12 rue X")
                        .urlButton(0, "V-123").quickReplyButton(1, "confirm:42"),
                Template.named("visit_video", "fr").headerVideo("1479537139650975").body("Léa"),
                Template.named("lease_ready", "fr").headerDocument(URI.create("https://cdn.example.com/bail.pdf"),
                        "bail.pdf").body("Léa"),
                Template.named("agency_open", "fr").headerLocation(agency).body("samedi"),
                Template.named("price_drop", "en_US").headerText("Flat 42")
                        .body(Template.Parameter.currency("€312,000", "EUR", 312_000_000L),
                                Template.Parameter.dateTime("February 25, 2027")),
                Template.named("lead_named", "en_US").header(Template.Header.namedText("flat", "Flat 42"))
                        .body(Template.Parameter.named("first_name", "Jo"),
                                Template.Parameter.currency("$10", "USD", 10_000L).withName("price")),
                Template.named("spring_offer", "en_US").body("Jo").copyCodeButton(0, "SPRING25"),
                Template.named("login_code", "en_US").oneTimePassword("482913"),
                Template.named("carousel_flats", "fr").components("[{\"type\":\"body\",\"parameters\":[{\"type\":"
                        + "\"text\",\"text\":\"Léa\"}]},{\"type\":\"carousel\",\"cards\":[{\"card_index\":0,"
                        + "\"components\":[{\"type\":\"header\",\"parameters\":[{\"type\":\"image\",\"image\":"
                        + "{\"link\":\"https://cdn.example.com/flats/1.jpg\"}}]}]}]}]"),
                Media.imageById("1479537139650973", "Le plan"),
                Media.imageByLink(photo, null),
                Media.documentById("1479537139650974", "Votre contrat", "contrat.pdf"),
                Media.documentByLink(URI.create("https://cdn.example.com/c.pdf"), null, "c.pdf"),
                Media.videoByLink(URI.create("https://cdn.example.com/visit.mp4"), "La visite"),
                Media.videoById("1479537139650976", null),
                Media.audioById("1479537139650977"),
                Media.audioByLink(URI.create("https://cdn.example.com/message.ogg")),
                Media.stickerById("1479537139650978"),
                Media.stickerByLink(URI.create("https://cdn.example.com/thanks.webp")),
                agency,
                Location.of(-33.8688, 151.2093),
                Contacts.of(new Contacts.Contact(new Contacts.Name("Marc Dupont", "Marc", "Dupont", null, null, "M."),
                        List.of(new Contacts.Phone("+33 6 12 34 56 78", "WORK", "33612345678")),
                        List.of(new Contacts.Email("marc@agence.example", "WORK")),
                        List.of(new Contacts.Url("https://agence.example/marc", "WORK")),
                        List.of(new Contacts.Address("12 rue X", "Paris", null, "75001", "France", "FR", "WORK")),
                        new Contacts.Organization("Agence du Port", "Ventes", "Agent"), "1985-04-12"),
                        Contacts.Contact.of(Contacts.Name.of("Ana Lima", "Ana", null),
                                new Contacts.Phone("+5511987654321", "CELL", null))),
                Reaction.of(WAMID, "👍"),
                Reaction.removal(WAMID),
                new InteractiveButtons("Confirmez-vous la visite ?",
                        List.of(new ReplyButton("yes", "Oui"), new ReplyButton("no", "Non")), "Visite", "Agence du Port"),
                InteractiveButtons.of("OK ?", new ReplyButton("b1", "Yes")),
                InteractiveButtons.of("Cette maison ?", new ReplyButton("visit", "Visiter"))
                        .withHeaderMedia(Media.imageByLink(photo, null)),
                InteractiveButtons.of("Le bail", new ReplyButton("sign", "Signer"))
                        .withHeaderMedia(Media.documentById("1479537139650974", null, "bail.pdf")),
                new InteractiveList("Choisissez un créneau", "Créneaux", List.of(
                        InteractiveList.Section.of("Lundi", new InteractiveList.Row("mon-10", "10h", "Avec Marc"),
                                InteractiveList.Row.of("mon-14", "14h")),
                        InteractiveList.Section.of("Mardi", InteractiveList.Row.of("tue-9", "9h"))),
                        "Visite du 42", "Agence du Port"),
                InteractiveList.of("Un créneau ?", "Voir", InteractiveList.Section.of(null, InteractiveList.Row.of("a", "A"))),
                CallToActionUrl.of("Votre dossier est prêt", "Ouvrir", URI.create("https://crm.example/d/42")),
                new CallToActionUrl("La visite", "Voir", URI.create("https://crm.example/v/42"), null,
                        Media.videoByLink(URI.create("https://cdn.example.com/visit.mp4"), null), "Agence"),
                new CallToActionUrl("Le plan", "Voir", URI.create("https://crm.example/p/42"), "Plan", null, null),
                MessageContent.text("Oui, lundi 10h").inReplyTo(WAMID),
                agency.inReplyTo(WAMID),
                Template.named("appointment_reminder", "fr").body("lundi").inReplyTo(WAMID));
    }

    /** Valid content of any type. */
    public static Arbitrary<MessageContent> any() {
        return Arbitraries.oneOf(text(), template(), media(), location(), contacts(), reaction(), buttons(), list(),
                callToAction(), reply());
    }

    /** Text with the characters that break JSON and encoders. */
    public static Arbitrary<String> words(int max) {
        return Arbitraries.strings().withChars("abcXYZ09 _-\"\\/'éà€✅\u00e9").withCharRange('a', 'e')
                .ofMinLength(1).ofMaxLength(max).filter(s -> !s.isBlank());
    }

    /** Words as a template parameter may hold them: no new line, tab or five spaces. */
    static Arbitrary<String> parameterText(int max) {
        return words(max).filter(s -> !s.contains("     "));
    }

    static Arbitrary<String> token(int max) {
        return Arbitraries.strings().withChars("abcdefXYZ0123456789_-").ofMinLength(1).ofMaxLength(max);
    }

    static Arbitrary<URI> link() {
        return token(20).map(t -> URI.create("https://cdn.example.com/" + t));
    }

    static Arbitrary<MessageContent> text() {
        return Combinators.combine(words(200), Arbitraries.of(true, false)).as(MessageContent.Text::new);
    }

    static Arbitrary<MessageContent> template() {
        Arbitrary<String> name = Arbitraries.strings().withChars("abcxyz_019").ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> language = Arbitraries.of("fr", "en_US", "pt_BR", "es");
        Arbitrary<Template.Parameter> positional = Arbitraries.oneOf(parameterText(40).map(Template.Parameter::positional),
                Combinators.combine(parameterText(20), Arbitraries.of("EUR", "USD", "BRL"),
                        Arbitraries.longs().between(0, 10_000_000_000L)).as(Template.Parameter::currency),
                parameterText(30).map(Template.Parameter::dateTime));
        Arbitrary<List<Template.Parameter>> body = positional.list().ofMaxSize(4);
        Arbitrary<Template.Header> header = Arbitraries.oneOf(
                parameterText(60).map(Template.Header::text),
                Combinators.combine(Arbitraries.of(MediaKind.IMAGE, MediaKind.VIDEO), link())
                        .as((k, l) -> Template.Header.media(k, null, l, null)),
                Combinators.combine(token(16), token(12)).as((id, f) -> Template.Header.media(MediaKind.DOCUMENT, id,
                        null, f + ".pdf")),
                namedLocation().map(Template.Header::location));
        Arbitrary<List<Template.Button>> buttons = Arbitraries.oneOf(
                token(30).map(v -> List.of(new Template.Button(Template.Button.Type.URL, 0, v))),
                Combinators.combine(token(15), words(40)).as((code, payload) -> List.of(
                        new Template.Button(Template.Button.Type.COPY_CODE, 0, code),
                        new Template.Button(Template.Button.Type.QUICK_REPLY, 2, payload))),
                Arbitraries.just(List.of()));
        Arbitrary<MessageContent> typed = Combinators.combine(name, language, body, header.injectNull(0.3), buttons)
                .as((n, l, b, h, bs) -> new Template(n, l, b, h, bs, null));
        Arbitrary<MessageContent> otp = Combinators.combine(name, token(15))
                .as((n, code) -> Template.named(n, "en").oneTimePassword(code));
        Arbitrary<MessageContent> raw = Combinators.combine(name, words(30))
                .as((n, w) -> Template.named(n, "fr").components("[{\"type\":\"limited_time_offer\",\"parameters\":"
                        + "[{\"type\":\"limited_time_offer\",\"limited_time_offer\":{\"expiration_time_ms\":1698562800000}}]},"
                        + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":"
                        + "\"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}]"));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, typed), net.jqwik.api.Tuple.of(1, otp),
                net.jqwik.api.Tuple.of(1, raw));
    }

    static Arbitrary<MessageContent> media() {
        Arbitrary<MessageContent> captioned = Combinators.combine(Arbitraries.of(MediaKind.IMAGE, MediaKind.VIDEO,
                MediaKind.DOCUMENT), token(16).injectNull(0.5), link(), words(50).injectNull(0.5), token(10).injectNull(0.5))
                .as((k, id, l, caption, file) -> new Media(k, id, id == null ? l : null, caption,
                        k == MediaKind.DOCUMENT ? file : null));
        Arbitrary<MessageContent> bare = Combinators.combine(Arbitraries.of(MediaKind.AUDIO, MediaKind.STICKER),
                token(16).injectNull(0.5), link()).as((k, id, l) -> new Media(k, id, id == null ? l : null, null, null));
        return Arbitraries.oneOf(captioned, bare);
    }

    static Arbitrary<Location> namedLocation() {
        return Combinators.combine(Arbitraries.doubles().between(-90, 90), Arbitraries.doubles().between(-180, 180),
                words(40), words(80)).as(Location::new);
    }

    static Arbitrary<MessageContent> location() {
        return Combinators.combine(Arbitraries.doubles().between(-90, 90), Arbitraries.doubles().between(-180, 180),
                words(40).injectNull(0.5), words(80).injectNull(0.5)).as(Location::new);
    }

    static Arbitrary<MessageContent> contacts() {
        Arbitrary<Contacts.Contact> contact = Combinators.combine(words(30), words(20), words(20).injectNull(0.5),
                Arbitraries.strings().numeric().ofMinLength(7).ofMaxLength(15).injectNull(0.5),
                words(30).injectNull(0.5), Arbitraries.of("1985-04-12", "2000-02-29").injectNull(0.5))
                .as((formatted, first, last, waId, email, birthday) -> new Contacts.Contact(
                        new Contacts.Name(formatted, first, last, null, null, null),
                        List.of(new Contacts.Phone("+33 6 12 34 56 78", "CELL", waId)),
                        email == null ? List.of() : List.of(new Contacts.Email(email, "HOME")), List.of(),
                        List.of(new Contacts.Address(null, "Paris", null, null, null, "FR", null)),
                        email == null ? null : new Contacts.Organization(email, null, null), birthday));
        return contact.list().ofMinSize(1).ofMaxSize(3).map(Contacts::new);
    }

    static Arbitrary<MessageContent> reaction() {
        return Arbitraries.of("👍", "❤️", "😀", "").map(e -> (MessageContent) Reaction.of(WAMID, e));
    }

    static Arbitrary<MessageContent> buttons() {
        Arbitrary<List<ReplyButton>> buttons = Arbitraries.integers().between(1, 3)
                .map(n -> java.util.stream.IntStream.range(0, n).mapToObj(i -> new ReplyButton("b" + i, "Title " + i))
                        .toList());
        return Combinators.combine(words(100), buttons, words(60).injectNull(0.5), words(60).injectNull(0.5),
                link().injectNull(0.7)).as((body, b, header, footer, media) -> new InteractiveButtons(body, b,
                media == null ? header : null, footer, media == null ? null : Media.imageByLink(media, null)));
    }

    static Arbitrary<MessageContent> list() {
        Arbitrary<InteractiveList.Row> row = Combinators.combine(token(10), words(24), words(72).injectNull(0.5))
                .as(InteractiveList.Row::new);
        return Combinators.combine(words(100), words(20), row.list().ofMinSize(1).ofMaxSize(5)
                .uniqueElements(InteractiveList.Row::id), words(24)).as((body, button, rows, title) ->
                new InteractiveList(body, button, List.of(new InteractiveList.Section(title, rows)), null, null));
    }

    static Arbitrary<MessageContent> callToAction() {
        return Combinators.combine(words(100), words(20), link(), words(60).injectNull(0.5))
                .as((body, label, url, footer) -> new CallToActionUrl(body, label, url, null, null, footer));
    }

    static Arbitrary<MessageContent> reply() {
        return Arbitraries.oneOf(text(), location(), template()).map(c -> c.inReplyTo(WAMID));
    }
}
