package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageContent.InteractiveButtons;
import io.whatsappoutbox.core.MessageContent.Media;
import io.whatsappoutbox.core.MessageContent.ReplyButton;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provider writes exactly Meta's request shapes, to the right URL, with the org's token. */
class MetaCloudProviderRequestTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String URL_1 = "/v23.0/" + TestAccounts.ORG_1.phoneNumberId() + "/messages";
    static final String OK = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
            + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.OK\"}]}";

    MetaCloudProvider provider;

    @BeforeEach
    void setUp() {
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl())
                .asynchronous(asynchronous()).build();
    }

    /** Whether the provider is built asynchronous: the asynchronous path's subclass sends through sendAsync. */
    boolean asynchronous() {
        return false;
    }

    /** How every case sends. */
    SendResult send(MetaCloudProvider p, OutboundMessage message) {
        return p.send(message);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    void expect(String url, String token, String json) {
        meta.stubFor(post(urlEqualTo(url))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Content-Type", matching("application/json.*"))
                .withRequestBody(equalToJson(json))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK)));
    }

    private void sendsExactly(MessageContent content, String json) {
        expect(URL_1, TestAccounts.TOKEN_1, json);
        SendResult result = send(provider, Messages.whatsapp(content));
        assertThat(result).isEqualTo(new SendResult.Accepted("wamid.OK", null));
        meta.verify(1, postRequestedFor(urlEqualTo(URL_1)));
    }

    static String envelope(String type, String object) {
        return "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"+33612345678\","
                + "\"type\":\"" + type + "\",\"" + type + "\":" + object + "}";
    }

    @Test
    void sendsTextWithoutLinkPreview() {
        sendsExactly(MessageContent.text("Bonjour Jeanne, votre rendez-vous est confirmé ✅"),
                envelope("text", "{\"preview_url\":false,\"body\":\"Bonjour Jeanne, votre rendez-vous est confirmé ✅\"}"));
    }

    @Test
    void sendsTextWithLinkPreviewWhenAsked() {
        sendsExactly(new MessageContent.Text("See https://example.com", true),
                envelope("text", "{\"preview_url\":true,\"body\":\"See https://example.com\"}"));
    }

    @Test
    void sendsTemplateWithPositionalParameters() {
        sendsExactly(MessageContent.template("appointment_reminder", "fr", "lundi", "10h30"),
                envelope("template", "{\"name\":\"appointment_reminder\",\"language\":{\"code\":\"fr\"},"
                        + "\"components\":[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"lundi\"},"
                        + "{\"type\":\"text\",\"text\":\"10h30\"}]}]}"));
    }

    @Test
    void sendsTemplateWithNamedParameters() {
        sendsExactly(new Template("order_update", "en_US", List.of(Template.Parameter.named("first_name", "Jeanne"),
                        Template.Parameter.named("order_id", "A-1234"))),
                envelope("template", "{\"name\":\"order_update\",\"language\":{\"code\":\"en_US\"},"
                        + "\"components\":[{\"type\":\"body\",\"parameters\":["
                        + "{\"type\":\"text\",\"parameter_name\":\"first_name\",\"text\":\"Jeanne\"},"
                        + "{\"type\":\"text\",\"parameter_name\":\"order_id\",\"text\":\"A-1234\"}]}]}"));
    }

    @Test
    void sendsTemplateWithoutComponentsWhenItHasNoParameters() {
        sendsExactly(MessageContent.template("hello_world", "en_US"),
                envelope("template", "{\"name\":\"hello_world\",\"language\":{\"code\":\"en_US\"}}"));
    }

    @Test
    void sendsImageByMediaIdWithCaption() {
        sendsExactly(Media.imageById("1479537139650973", "Le plan"),
                envelope("image", "{\"id\":\"1479537139650973\",\"caption\":\"Le plan\"}"));
    }

    @Test
    void sendsImageByLinkWithoutCaption() {
        sendsExactly(Media.imageByLink(URI.create("https://cdn.example.com/plan.png"), null),
                envelope("image", "{\"link\":\"https://cdn.example.com/plan.png\"}"));
    }

    @Test
    void sendsDocumentByMediaIdWithFilename() {
        sendsExactly(Media.documentById("1479537139650974", "Votre contrat", "contrat.pdf"),
                envelope("document", "{\"id\":\"1479537139650974\",\"caption\":\"Votre contrat\",\"filename\":\"contrat.pdf\"}"));
    }

    @Test
    void sendsDocumentByLink() {
        sendsExactly(Media.documentByLink(URI.create("https://cdn.example.com/c.pdf"), null, "c.pdf"),
                envelope("document", "{\"link\":\"https://cdn.example.com/c.pdf\",\"filename\":\"c.pdf\"}"));
    }

    @Test
    void sendsInteractiveButtonsWithHeaderAndFooter() {
        sendsExactly(new InteractiveButtons("Confirmez-vous la visite ?",
                        List.of(new ReplyButton("yes", "Oui"), new ReplyButton("no", "Non")), "Visite", "Agence du Port"),
                envelope("interactive", "{\"type\":\"button\",\"header\":{\"type\":\"text\",\"text\":\"Visite\"},"
                        + "\"body\":{\"text\":\"Confirmez-vous la visite ?\"},\"footer\":{\"text\":\"Agence du Port\"},"
                        + "\"action\":{\"buttons\":[{\"type\":\"reply\",\"reply\":{\"id\":\"yes\",\"title\":\"Oui\"}},"
                        + "{\"type\":\"reply\",\"reply\":{\"id\":\"no\",\"title\":\"Non\"}}]}}"));
    }

    @Test
    void sendsInteractiveButtonsWithoutHeaderOrFooter() {
        sendsExactly(InteractiveButtons.of("OK ?", new ReplyButton("b1", "Yes")),
                envelope("interactive", "{\"type\":\"button\",\"body\":{\"text\":\"OK ?\"},"
                        + "\"action\":{\"buttons\":[{\"type\":\"reply\",\"reply\":{\"id\":\"b1\",\"title\":\"Yes\"}}]}}"));
    }

    @Test
    void sendsWithEachOrgsOwnPhoneNumberIdAndToken() {
        String url2 = "/v23.0/" + TestAccounts.ORG_2.phoneNumberId() + "/messages";
        expect(url2, TestAccounts.TOKEN_2, envelope("text", "{\"preview_url\":false,\"body\":\"hi\"}"));

        SendResult result = send(provider, Messages.whatsapp("org-2", MessageContent.text("hi")));

        assertThat(result).isInstanceOf(SendResult.Accepted.class);
        meta.verify(0, postRequestedFor(urlEqualTo(URL_1)));
    }

    @Test
    void usesTheConfiguredGraphVersionAndBasePath() {
        try (MetaCloudProvider custom = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl() + "/graph/").graphVersion("v24.0").asynchronous(asynchronous()).build()) {
            String url = "/graph/v24.0/" + TestAccounts.ORG_1.phoneNumberId() + "/messages";
            expect(url, TestAccounts.TOKEN_1, envelope("text", "{\"preview_url\":false,\"body\":\"hi\"}"));

            assertThat(send(custom, Messages.whatsapp(MessageContent.text("hi"))))
                    .isInstanceOf(SendResult.Accepted.class);
        }
    }

    @Test
    void escapesPhoneNumberIdAsOnePathSegment() {
        TestAccounts odd = new TestAccounts(List.of(new io.whatsappoutbox.core.spi.WhatsAppAccount("org-1",
                "../123?x=1", null, io.whatsappoutbox.core.Secret.of(TestAccounts.TOKEN_1), true)));
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(odd).baseUrl(meta.baseUrl())
                .asynchronous(asynchronous()).build()) {
            meta.stubFor(post(urlEqualTo("/v23.0/..%2F123%3Fx=1/messages")).willReturn(aResponse().withBody(OK)));

            assertThat(send(p, Messages.whatsapp(MessageContent.text("hi")))).isInstanceOf(SendResult.Accepted.class);
        }
    }
}
