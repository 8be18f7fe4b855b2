package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.TemplateDefinition.Button;
import io.whatsappoutbox.core.TemplateDefinition.Header;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The template list is read from Meta's shapes, every page, with the account's token. */
class MetaTemplateSourceTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String LIST = "/v23.0/" + TestAccounts.ORG_1.businessAccountId() + "/message_templates";

    /** Meta's OAS example, with a second template of every header and button kind. */
    static final String PAGE_1 = """
            {"data":[
              {"id":"920070352646140","name":"2023_april_promo","language":"en_US","status":"APPROVED",
               "category":"MARKETING","parameter_format":"POSITIONAL",
               "components":[
                 {"type":"HEADER","format":"TEXT","text":"Fall Sale"},
                 {"type":"BODY","text":"Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!",
                  "example":{"body_text":[["Mark","FALL25"]]}},
                 {"type":"FOOTER","text":"Not interested in any of our sales? Tap Stop Promotions"},
                 {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop promotions"}]}],
               "quality_score":{"score":"GREEN","date":1739321024},
               "previous_category":"ACCOUNT_UPDATE"},
              {"id":"920070352646141","name":"order_shipped","language":"fr","status":"PAUSED",
               "category":"UTILITY","parameter_format":"NAMED",
               "components":[
                 {"type":"HEADER","format":"TEXT","text":"Commande {{order_id}}",
                  "example":{"header_text_named_params":[{"param_name":"order_id","example":"A12"}]}},
                 {"type":"BODY","text":"Bonjour {{first_name}}, votre colis part le {{date}}.",
                  "example":{"body_text_named_params":[{"param_name":"first_name","example":"Marc"}]}},
                 {"type":"BUTTONS","buttons":[
                   {"type":"URL","text":"Suivre","url":"https://example.com/track/{{1}}","example":["A12"]},
                   {"type":"URL","text":"Aide","url":"https://example.com/help"},
                   {"type":"PHONE_NUMBER","text":"Appeler","phone_number":"15550051310"},
                   {"type":"COPY_CODE","example":"250FF"}]}],
               "quality_score":{"score":"YELLOW","date":1739321024}}],
             "paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},
                       "next":"https://graph.facebook.com/v23.0/102290129340398/message_templates?limit=100&after=MjQZD"}}""";

    static final String PAGE_2 = """
            {"data":[
              {"id":"920070352646142","name":"flat_photo","language":"fr","status":"REJECTED",
               "category":"MARKETING","rejected_reason":"INVALID_FORMAT",
               "components":[
                 {"type":"HEADER","format":"IMAGE","example":{"header_handle":["4::aW1h"]}},
                 {"type":"BODY","text":"Nouveau bien"}]},
              {"id":"920070352646143","name":"login_code","language":"en_US","status":"APPROVED",
               "category":"AUTHENTICATION",
               "components":[
                 {"type":"BODY","text":"*{{1}}* is your verification code.","add_security_recommendation":true},
                 {"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE","text":"Copy Code"}]}]}],
             "paging":{"cursors":{"before":"QVFI","after":"QVFJ"}}}""";

    MetaCloudProvider provider;

    @BeforeEach
    void setUp() {
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl()).build();
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private static void stubPages() {
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", absent())
                .withQueryParam("limit", equalTo("100"))
                .withQueryParam("fields", equalTo(MetaTemplateSource.FIELDS))
                .withHeader("Authorization", equalTo("Bearer " + TestAccounts.TOKEN_1))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(PAGE_1)));
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", equalTo("MjQZD"))
                .withHeader("Authorization", equalTo("Bearer " + TestAccounts.TOKEN_1))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(PAGE_2)));
    }

    @Test
    void readsEveryPageByItsAfterCursorWithTheAccountsToken() {
        stubPages();
        List<TemplateDefinition> all = provider.templateSource().fetch(TestAccounts.ORG_1);
        assertThat(all).extracting(TemplateDefinition::name)
                .containsExactly("2023_april_promo", "order_shipped", "flat_photo", "login_code");
        meta.verify(2, getRequestedFor(urlPathEqualTo(LIST)));
    }

    @Test
    void mapsPositionalBodyVariablesQualityAndAQuickReplyThatTakesNothing() {
        stubPages();
        TemplateDefinition promo = provider.templateSource().fetch(TestAccounts.ORG_1).get(0);
        assertThat(promo.id()).isEqualTo("920070352646140");
        assertThat(promo.language()).isEqualTo("en_US");
        assertThat(promo.status()).isEqualTo(TemplateDefinition.Status.APPROVED);
        assertThat(promo.category()).isEqualTo(TemplateDefinition.Category.MARKETING);
        assertThat(promo.parameterFormat()).isEqualTo(TemplateDefinition.ParameterFormat.POSITIONAL);
        assertThat(promo.header()).as("a fixed text header takes nothing").isNull();
        assertThat(promo.bodyParameters()).containsExactly("1", "2");
        assertThat(promo.buttons()).containsExactly(new Button(0, "QUICK_REPLY", false));
        assertThat(promo.quality()).isEqualTo("GREEN");
        assertThat(promo.reason()).isNull();
    }

    @Test
    void mapsNamedVariablesAndTheButtonsThatTakeAParameter() {
        stubPages();
        TemplateDefinition shipped = provider.templateSource().fetch(TestAccounts.ORG_1).get(1);
        assertThat(shipped.status()).isEqualTo(TemplateDefinition.Status.PAUSED);
        assertThat(shipped.parameterFormat()).isEqualTo(TemplateDefinition.ParameterFormat.NAMED);
        assertThat(shipped.header()).isEqualTo(new Header(Template.Header.Type.TEXT, "order_id"));
        assertThat(shipped.bodyParameters()).containsExactly("first_name", "date");
        assertThat(shipped.buttons()).containsExactly(new Button(0, "URL", true), new Button(1, "URL", false),
                new Button(2, "PHONE_NUMBER", false), new Button(3, "COPY_CODE", true));
        assertThat(shipped.quality()).isEqualTo("YELLOW");
    }

    @Test
    void mapsAMediaHeaderTheRejectedReasonAndAnOneTimePasswordButton() {
        stubPages();
        List<TemplateDefinition> all = provider.templateSource().fetch(TestAccounts.ORG_1);
        TemplateDefinition photo = all.get(2);
        assertThat(photo.header()).isEqualTo(new Header(Template.Header.Type.IMAGE, null));
        assertThat(photo.bodyParameters()).isEmpty();
        assertThat(photo.reason()).isEqualTo("INVALID_FORMAT");
        assertThat(photo.quality()).isNull();
        TemplateDefinition login = all.get(3);
        assertThat(login.category()).isEqualTo(TemplateDefinition.Category.AUTHENTICATION);
        assertThat(login.bodyParameters()).containsExactly("1");
        assertThat(login.buttons()).containsExactly(new Button(0, "OTP", true));
    }

    @Test
    void anHttpErrorNamesTheAccountAndStatusButNeverTheToken() {
        meta.stubFor(get(urlPathEqualTo(LIST)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Invalid OAuth access token " + TestAccounts.TOKEN_1
                        + "\",\"type\":\"OAuthException\",\"code\":190,\"fbtrace_id\":\"AbC\"}}")));
        assertThatThrownBy(() -> provider.templateSource().fetch(TestAccounts.ORG_1))
                .isInstanceOf(MetaTemplateSource.TemplateListException.class)
                .hasMessageContaining(TestAccounts.ORG_1.businessAccountId())
                .hasMessageContaining("HTTP 401")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TestAccounts.TOKEN_1))
                .satisfies(e -> assertThat(((MetaTemplateSource.TemplateListException) e).httpStatus()).isEqualTo(401));
    }

    @Test
    void anAnswerThatIsNotJsonFailsTheWholeList() {
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", absent())
                .willReturn(aResponse().withStatus(200).withBody(PAGE_1)));
        meta.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("after", equalTo("MjQZD"))
                .willReturn(aResponse().withStatus(200).withBody("<html>gateway</html>")));
        assertThatThrownBy(() -> provider.templateSource().fetch(TestAccounts.ORG_1))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining(TestAccounts.ORG_1.businessAccountId())
                .hasMessageContaining("HTTP 200");
    }
}
