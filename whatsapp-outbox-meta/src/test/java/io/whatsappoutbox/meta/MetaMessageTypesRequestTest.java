package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.CallToActionUrl;
import io.whatsappoutbox.core.Contacts;
import io.whatsappoutbox.core.InteractiveList;
import io.whatsappoutbox.core.Location;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.Reaction;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.Contents;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every message type and every template component leaves as Meta's reference writes it: each
 * expected body is the documented example of its page (messages/*-messages, templates/components,
 * authentication and marketing templates), with our values in place of Meta's.
 */
class MetaMessageTypesRequestTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String URL = "/v23.0/" + TestAccounts.ORG_1.phoneNumberId() + "/messages";
    static final String OK = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
            + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.OK\"}]}";
    static final URI PHOTO = URI.create("https://cdn.example.com/flats/42.jpg");

    MetaCloudProvider provider;

    @BeforeEach
    void setUp() {
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl()).build();
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private void sendsExactly(MessageContent content, String json) {
        meta.stubFor(post(urlEqualTo(URL)).withHeader("Authorization", equalTo("Bearer " + TestAccounts.TOKEN_1))
                .withRequestBody(equalToJson(json))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK)));
        assertThat(provider.send(Messages.whatsapp(content))).isEqualTo(new SendResult.Accepted("wamid.OK", null));
        meta.verify(1, postRequestedFor(urlEqualTo(URL)));
    }

    private static String envelope(String type, String object) {
        return "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"+33612345678\","
                + "\"type\":\"" + type + "\",\"" + type + "\":" + object + "}";
    }

    private static String template(String name, String language, String components) {
        return envelope("template", "{\"name\":\"" + name + "\",\"language\":{\"code\":\"" + language + "\"},"
                + "\"components\":" + components + "}");
    }

    @Test
    void sendsTheIssuesAppointmentReminderWithImageHeaderUrlAndQuickReplyButtons() {
        sendsExactly(Template.named("appointment_reminder", "fr").headerImage(PHOTO).body("lundi 10h", "12 rue X")
                        .urlButton(0, "V-123").quickReplyButton(1, "confirm:42"),
                template("appointment_reminder", "fr", "[{\"type\":\"header\",\"parameters\":[{\"type\":\"image\","
                        + "\"image\":{\"link\":\"https://cdn.example.com/flats/42.jpg\"}}]},"
                        + "{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"lundi 10h\"},"
                        + "{\"type\":\"text\",\"text\":\"12 rue X\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"0\",\"parameters\":[{\"type\":\"text\","
                        + "\"text\":\"V-123\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"quick_reply\",\"index\":\"1\",\"parameters\":[{\"type\":"
                        + "\"payload\",\"payload\":\"confirm:42\"}]}]"));
    }

    @Test
    void sendsTextHeaderAndNamedParameters() {
        sendsExactly(Template.named("order_update", "en_US").header(Template.Header.namedText("flat", "Flat 42"))
                        .body(Template.Parameter.named("first_name", "Jeanne")),
                template("order_update", "en_US", "[{\"type\":\"header\",\"parameters\":[{\"type\":\"text\","
                        + "\"parameter_name\":\"flat\",\"text\":\"Flat 42\"}]},{\"type\":\"body\",\"parameters\":"
                        + "[{\"type\":\"text\",\"parameter_name\":\"first_name\",\"text\":\"Jeanne\"}]}]"));
    }

    @Test
    void sendsVideoAndDocumentHeadersByIdAndByLinkWithFilename() {
        sendsExactly(Template.named("visit_video", "fr").headerVideo("1479537139650975"),
                template("visit_video", "fr", "[{\"type\":\"header\",\"parameters\":[{\"type\":\"video\","
                        + "\"video\":{\"id\":\"1479537139650975\"}}]}]"));
        meta.resetAll();
        sendsExactly(Template.named("lease_ready", "fr").headerDocument(URI.create("https://cdn.example.com/bail.pdf"),
                        "bail.pdf"),
                template("lease_ready", "fr", "[{\"type\":\"header\",\"parameters\":[{\"type\":\"document\","
                        + "\"document\":{\"link\":\"https://cdn.example.com/bail.pdf\",\"filename\":\"bail.pdf\"}}]}]"));
    }

    @Test
    void sendsALocationHeader() {
        sendsExactly(Template.named("agency_open", "fr").headerLocation(Location.of(48.8566, 2.3522, "Agence du Port",
                        "12 rue X, 75001 Paris")),
                template("agency_open", "fr", "[{\"type\":\"header\",\"parameters\":[{\"type\":\"location\","
                        + "\"location\":{\"latitude\":\"48.8566\",\"longitude\":\"2.3522\",\"name\":\"Agence du Port\","
                        + "\"address\":\"12 rue X, 75001 Paris\"}}]}]"));
    }

    @Test
    void sendsCurrencyAndDateTimeParameters() {
        sendsExactly(Template.named("price_drop", "en_US").body(Template.Parameter.currency("$100.99", "USD", 100_990),
                        Template.Parameter.dateTime("February 25, 1977")),
                template("price_drop", "en_US", "[{\"type\":\"body\",\"parameters\":[{\"type\":\"currency\","
                        + "\"currency\":{\"fallback_value\":\"$100.99\",\"code\":\"USD\",\"amount_1000\":100990}},"
                        + "{\"type\":\"date_time\",\"date_time\":{\"fallback_value\":\"February 25, 1977\"}}]}]"));
    }

    @Test
    void sendsACopyCodeButton() {
        sendsExactly(Template.named("spring_offer", "en_US").body("Jo").copyCodeButton(1, "CARIBE25"),
                template("spring_offer", "en_US", "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Jo\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"copy_code\",\"index\":\"1\",\"parameters\":"
                        + "[{\"type\":\"coupon_code\",\"coupon_code\":\"CARIBE25\"}]}]"));
    }

    @Test
    void sendsAnAuthenticationTemplatesCodeInTheBodyAndTheUrlButton() {
        sendsExactly(Template.named("login_code", "en_US").oneTimePassword("482913"),
                template("login_code", "en_US", "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"482913\"}]},"
                        + "{\"type\":\"button\",\"sub_type\":\"url\",\"index\":\"0\",\"parameters\":"
                        + "[{\"type\":\"text\",\"text\":\"482913\"}]}]"));
    }

    @Test
    void sendsMetasOwnComponentsAsGivenForACarouselAndALimitedTimeOffer() {
        String carousel = "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Léa\"}]},"
                + "{\"type\":\"carousel\",\"cards\":[{\"card_index\":0,\"components\":[{\"type\":\"header\","
                + "\"parameters\":[{\"type\":\"image\",\"image\":{\"link\":\"https://cdn.example.com/flats/1.jpg\"}}]},"
                + "{\"type\":\"button\",\"sub_type\":\"quick_reply\",\"index\":\"0\",\"parameters\":"
                + "[{\"type\":\"payload\",\"payload\":\"flat-1\"}]}]}]}]";
        sendsExactly(Template.named("carousel_flats", "fr").components(carousel), template("carousel_flats", "fr", carousel));
        meta.resetAll();
        String offer = "[{\"type\":\"limited_time_offer\",\"parameters\":[{\"type\":\"limited_time_offer\","
                + "\"limited_time_offer\":{\"expiration_time_ms\":1698562800000}}]},{\"type\":\"button\","
                + "\"sub_type\":\"copy_code\",\"index\":0,\"parameters\":[{\"type\":\"coupon_code\",\"coupon_code\":\"CARIBE25\"}]}]";
        sendsExactly(Template.named("spring_offer", "en_US").components(offer), template("spring_offer", "en_US", offer));
    }

    @Test
    void sendsVideoAudioAndStickerByIdAndByLink() {
        sendsExactly(Media.videoByLink(URI.create("https://cdn.example.com/visit.mp4"), "La visite"),
                envelope("video", "{\"link\":\"https://cdn.example.com/visit.mp4\",\"caption\":\"La visite\"}"));
        meta.resetAll();
        sendsExactly(Media.audioById("1479537139650977"), envelope("audio", "{\"id\":\"1479537139650977\"}"));
        meta.resetAll();
        sendsExactly(Media.stickerByLink(URI.create("https://cdn.example.com/thanks.webp")),
                envelope("sticker", "{\"link\":\"https://cdn.example.com/thanks.webp\"}"));
    }

    @Test
    void sendsALocation() {
        sendsExactly(Location.of(37.44216251868683, -122.16153582049394, "Philz Coffee",
                        "101 Forest Ave, Palo Alto, CA 94301"),
                envelope("location", "{\"latitude\":\"37.44216251868683\",\"longitude\":\"-122.16153582049394\","
                        + "\"name\":\"Philz Coffee\",\"address\":\"101 Forest Ave, Palo Alto, CA 94301\"}"));
    }

    @Test
    void sendsContactCards() {
        sendsExactly(Contacts.of(new Contacts.Contact(new Contacts.Name("Marc Dupont", "Marc", "Dupont", null, null, "M."),
                        List.of(new Contacts.Phone("+33 6 12 34 56 78", "WORK", "33612345678")),
                        List.of(new Contacts.Email("marc@agence.example", "WORK")),
                        List.of(new Contacts.Url("https://agence.example/marc", "WORK")),
                        List.of(new Contacts.Address("12 rue X", "Paris", null, "75001", "France", "FR", "WORK")),
                        new Contacts.Organization("Agence du Port", "Ventes", "Agent"), "1985-04-12")),
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"+33612345678\","
                        + "\"type\":\"contacts\",\"contacts\":[{\"addresses\":[{\"street\":\"12 rue X\",\"city\":\"Paris\","
                        + "\"zip\":\"75001\",\"country\":\"France\",\"country_code\":\"FR\",\"type\":\"WORK\"}],"
                        + "\"birthday\":\"1985-04-12\",\"emails\":[{\"email\":\"marc@agence.example\",\"type\":\"WORK\"}],"
                        + "\"name\":{\"formatted_name\":\"Marc Dupont\",\"first_name\":\"Marc\",\"last_name\":\"Dupont\","
                        + "\"prefix\":\"M.\"},\"org\":{\"company\":\"Agence du Port\",\"department\":\"Ventes\","
                        + "\"title\":\"Agent\"},\"phones\":[{\"phone\":\"+33 6 12 34 56 78\",\"type\":\"WORK\","
                        + "\"wa_id\":\"33612345678\"}],\"urls\":[{\"url\":\"https://agence.example/marc\",\"type\":\"WORK\"}]}]}");
    }

    @Test
    void sendsAReactionAndItsRemoval() {
        sendsExactly(Reaction.of(Contents.WAMID, "👍"),
                envelope("reaction", "{\"message_id\":\"" + Contents.WAMID + "\",\"emoji\":\"👍\"}"));
        meta.resetAll();
        sendsExactly(Reaction.removal(Contents.WAMID),
                envelope("reaction", "{\"message_id\":\"" + Contents.WAMID + "\",\"emoji\":\"\"}"));
    }

    @Test
    void sendsAnInteractiveList() {
        sendsExactly(new InteractiveList("Choisissez un créneau", "Créneaux", List.of(
                        InteractiveList.Section.of("Lundi", new InteractiveList.Row("mon-10", "10h", "Avec Marc")),
                        InteractiveList.Section.of("Mardi", InteractiveList.Row.of("tue-9", "9h"))),
                        "Visite du 42", "Agence du Port"),
                envelope("interactive", "{\"type\":\"list\",\"header\":{\"type\":\"text\",\"text\":\"Visite du 42\"},"
                        + "\"body\":{\"text\":\"Choisissez un créneau\"},\"footer\":{\"text\":\"Agence du Port\"},"
                        + "\"action\":{\"button\":\"Créneaux\",\"sections\":[{\"title\":\"Lundi\",\"rows\":[{\"id\":"
                        + "\"mon-10\",\"title\":\"10h\",\"description\":\"Avec Marc\"}]},{\"title\":\"Mardi\",\"rows\":"
                        + "[{\"id\":\"tue-9\",\"title\":\"9h\"}]}]}}"));
    }

    @Test
    void sendsACallToActionUrlWithAnImageHeader() {
        sendsExactly(new CallToActionUrl("Votre dossier est prêt", "Ouvrir", URI.create("https://crm.example/d/42"),
                        null, Media.imageByLink(PHOTO, null), "Agence du Port"),
                envelope("interactive", "{\"type\":\"cta_url\",\"header\":{\"type\":\"image\",\"image\":{\"link\":"
                        + "\"https://cdn.example.com/flats/42.jpg\"}},\"body\":{\"text\":\"Votre dossier est prêt\"},"
                        + "\"footer\":{\"text\":\"Agence du Port\"},\"action\":{\"name\":\"cta_url\",\"parameters\":"
                        + "{\"display_text\":\"Ouvrir\",\"url\":\"https://crm.example/d/42\"}}}"));
    }

    @Test
    void sendsReplyButtonsUnderAVideoOrDocumentHeader() {
        sendsExactly(InteractiveButtons.of("La visite ?", new ReplyButton("yes", "Oui"))
                        .withHeaderMedia(Media.videoById("1479537139650976", null)),
                envelope("interactive", "{\"type\":\"button\",\"header\":{\"type\":\"video\",\"video\":{\"id\":"
                        + "\"1479537139650976\"}},\"body\":{\"text\":\"La visite ?\"},\"action\":{\"buttons\":"
                        + "[{\"type\":\"reply\",\"reply\":{\"id\":\"yes\",\"title\":\"Oui\"}}]}}"));
        meta.resetAll();
        sendsExactly(InteractiveButtons.of("Le bail", new ReplyButton("sign", "Signer"))
                        .withHeaderMedia(Media.documentById("1479537139650974", null, "bail.pdf")),
                envelope("interactive", "{\"type\":\"button\",\"header\":{\"type\":\"document\",\"document\":{\"id\":"
                        + "\"1479537139650974\",\"filename\":\"bail.pdf\"}},\"body\":{\"text\":\"Le bail\"},\"action\":"
                        + "{\"buttons\":[{\"type\":\"reply\",\"reply\":{\"id\":\"sign\",\"title\":\"Signer\"}}]}}"));
    }

    @Test
    void quotesTheMessageItRepliesTo() {
        sendsExactly(MessageContent.text("Oui, lundi 10h").inReplyTo(Contents.WAMID),
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"+33612345678\","
                        + "\"context\":{\"message_id\":\"" + Contents.WAMID + "\"},\"type\":\"text\",\"text\":"
                        + "{\"preview_url\":false,\"body\":\"Oui, lundi 10h\"}}");
        meta.resetAll();
        sendsExactly(Location.of(48.8566, 2.3522).inReplyTo(Contents.WAMID),
                "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"+33612345678\","
                        + "\"context\":{\"message_id\":\"" + Contents.WAMID + "\"},\"type\":\"location\",\"location\":"
                        + "{\"latitude\":\"48.8566\",\"longitude\":\"2.3522\"}}");
    }
}
