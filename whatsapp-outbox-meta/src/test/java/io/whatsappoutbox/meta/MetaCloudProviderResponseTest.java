package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorClassification;
import io.whatsappoutbox.core.ErrorClassification.RateLimitScope;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Meta's answers, good and bad, become Accepted or a ProviderError with Meta's own code. */
class MetaCloudProviderResponseTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final Instant NOW = Instant.parse("2025-06-09T10:00:00Z");
    MetaCloudProvider provider;

    @BeforeEach
    void setUp() {
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).asynchronous(asynchronous()).build();
    }

    /** Whether the provider is built asynchronous (the asynchronous path's subclass). */
    boolean asynchronous() {
        return false;
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private SendResult answer(ResponseDefinitionBuilder response) {
        meta.stubFor(post(anyUrl()).willReturn(response));
        return send(provider, Messages.whatsapp(MessageContent.text("Bonjour")));
    }

    /** How every case sends; the asynchronous path's subclass sends with sendAsync. */
    SendResult send(MetaCloudProvider p, OutboundMessage message) {
        return p.send(message);
    }

    private ProviderError rejected(ResponseDefinitionBuilder response) {
        SendResult result = answer(response);
        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        ProviderError error = ((SendResult.Rejected) result).error();
        Messages.assertNoSecrets(error);
        return error;
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static String metaError(int code, String message, String details) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":" + code
                + ",\"error_subcode\":2494055,\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\""
                + details + "\"},\"fbtrace_id\":\"AazXs5-Y7qS2_trace\"}}";
    }

    @Test
    void acceptsWithTheWamid() {
        SendResult r = answer(json(200, "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}"));

        assertThat(r).isEqualTo(new SendResult.Accepted("wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI", null));
    }

    @Test
    void acceptsPacedTemplateWithItsMessageStatus() {
        SendResult r = answer(json(200, "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.P\",\"message_status\":\"held_for_quality_assessment\"}]}"));

        assertThat(r).isEqualTo(new SendResult.Accepted("wamid.P", "held_for_quality_assessment"));
    }

    @Test
    void ignoresFieldsMetaAddsLater() {
        SendResult r = answer(json(200, "{\"messaging_product\":\"whatsapp\",\"new_top\":{\"a\":[1,2]},"
                + "\"contacts\":[{\"input\":\"+33612345678\",\"wa_id\":\"33612345678\",\"user_id\":\"FR.123\"}],"
                + "\"messages\":[{\"id\":\"wamid.X\",\"message_status\":\"accepted\",\"future\":true}]}"));

        assertThat(r).isEqualTo(new SendResult.Accepted("wamid.X", "accepted"));
    }

    static Stream<Arguments> metaErrors() {
        return Stream.of(
                Arguments.of(400, 131047, "Re-engagement message", ErrorCategory.SESSION_EXPIRED),
                Arguments.of(400, 131026, "Message undeliverable", ErrorCategory.UNDELIVERABLE),
                Arguments.of(400, 131056, "(Business Account, Consumer Account) pair rate limit hit", ErrorCategory.RATE_LIMITED),
                Arguments.of(404, 132001, "Template name does not exist in the translation", ErrorCategory.TEMPLATE),
                Arguments.of(401, 190, "Error validating access token: Session has expired", ErrorCategory.AUTH_CONFIG),
                Arguments.of(500, 131000, "Something went wrong", ErrorCategory.TEMPORARY),
                Arguments.of(403, 368, "Temporarily blocked for policies violations", ErrorCategory.ACCOUNT_RESTRICTED),
                Arguments.of(400, 100, "Invalid parameter", ErrorCategory.BAD_REQUEST),
                Arguments.of(400, 131050, "Unable to deliver the message", ErrorCategory.OPTED_OUT),
                Arguments.of(400, 131021, "Recipient cannot be sender", ErrorCategory.INVALID_RECIPIENT),
                Arguments.of(503, 133004, "Server temporarily unavailable", ErrorCategory.PROVIDER_UNAVAILABLE),
                Arguments.of(400, 4, "Application request limit reached", ErrorCategory.RATE_LIMITED));
    }

    @ParameterizedTest(name = "HTTP {0} code {1} is {3}")
    @MethodSource("metaErrors")
    void readsMetasErrorCodeAndLetsTheCatalogueDecide(int status, int code, String message, ErrorCategory category) {
        ProviderError e = rejected(json(status, metaError(code, "(#" + code + ") " + message, "Some details")));

        assertThat(e.code()).isEqualTo(Integer.toString(code));
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.message()).isEqualTo("(#" + code + ") " + message);
        assertThat(e.details()).isEqualTo("Some details");
        assertThat(e.traceId()).isEqualTo("AazXs5-Y7qS2_trace");
        assertThat(e.retryAfter()).isNull();
        assertThat(provider.errorCatalogue().classify(e).category()).isEqualTo(category);
    }

    @Test
    void throughputLimitCarriesRetryAfterSeconds() {
        ProviderError e = rejected(json(400, metaError(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."))
                .withHeader("Retry-After", "30"));

        assertThat(e.code()).isEqualTo("130429");
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(provider.errorCatalogue().classify(e).category()).isEqualTo(ErrorCategory.RATE_LIMITED);
    }

    @Test
    void pairRateLimitIsScopedToTheRecipient() {
        ProviderError e = rejected(json(400, metaError(131056, "(#131056) pair rate limit hit", "")));

        ErrorClassification c = provider.errorCatalogue().classify(e);
        assertThat(c.scope()).isEqualTo(RateLimitScope.RECIPIENT);
    }

    @Test
    void decidesOnTheCodeNotTheHttpStatus() {
        // a rate limit with HTTP 400 is a rate limit, not a bad request
        ProviderError e = rejected(json(400, metaError(80007, "(#80007) Rate limit issues", "")));

        assertThat(provider.errorCatalogue().classify(e).category()).isEqualTo(ErrorCategory.RATE_LIMITED);
    }

    @Test
    void acceptsTheCodeWrittenAsAString() {
        ProviderError e = rejected(json(400, "{\"error\":{\"message\":\"x\",\"code\":\"131047\"}}"));

        assertThat(e.code()).isEqualTo("131047");
        assertThat(e.details()).isNull();
        assertThat(e.traceId()).isNull();
    }

    @Test
    void http429WithoutMetaBodyIsRateLimitedWithRetryAfter() {
        ProviderError e = rejected(aResponse().withStatus(429).withHeader("Retry-After", "120"));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.http(429));
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(120));
        assertThat(provider.errorCatalogue().classify(e).category()).isEqualTo(ErrorCategory.RATE_LIMITED);
    }

    @Test
    void readsRetryAfterGivenAsAnHttpDate() {
        ProviderError e = rejected(aResponse().withStatus(503).withHeader("Retry-After", "Mon, 09 Jun 2025 10:01:30 GMT"));

        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void ignoresAnUnreadableRetryAfter() {
        ProviderError e = rejected(aResponse().withStatus(503).withHeader("Retry-After", "soon"));

        assertThat(e.retryAfter()).isNull();
    }

    @Test
    void http500IsTemporaryAnd503IsAnOutageWithoutBody() {
        ProviderError e500 = rejected(aResponse().withStatus(500));
        ProviderError e503 = rejected(aResponse().withStatus(503));

        assertThat(e500.code()).isEqualTo("HTTP_500");
        assertThat(e503.code()).isEqualTo("HTTP_503");
        assertThat(e503.message()).isEqualTo("HTTP 503 from Meta");
        assertThat(provider.errorCatalogue().classify(e503).category()).isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
    }

    @Test
    void htmlErrorPageIsCutShortAndFlattened() {
        String html = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\r\n<body>\t"
                + "x".repeat(5000) + "\u0000\u001b[31m</body></html>";
        ProviderError e = rejected(aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody(html));

        assertThat(e.code()).isEqualTo("HTTP_502");
        assertThat(e.message()).startsWith("HTTP 502 from Meta: <!DOCTYPE html> <html><head><title>502 Bad Gateway");
        assertThat(e.message().length()).isLessThan(250);
        assertThat(e.message()).doesNotContainPattern("\\p{Cntrl}");
    }

    @Test
    void garbageErrorBodyFallsBackToTheHttpStatus() {
        ProviderError e = rejected(json(400, "}{ not json at all"));

        assertThat(e.code()).isEqualTo("HTTP_400");
    }

    @Test
    void truncatedErrorBodyFallsBackToTheHttpStatus() {
        ProviderError e = rejected(json(400, metaError(131047, "x", "y").substring(0, 60)));

        assertThat(e.code()).isEqualTo("HTTP_400");
    }

    @Test
    void errorWithoutCodeKeepsItsMessageUnderTheHttpCode() {
        ProviderError e = rejected(json(403, "{\"error\":{\"message\":\"Forbidden by policy\",\"type\":\"OAuthException\"}}"));

        assertThat(e.code()).isEqualTo("HTTP_403");
        assertThat(e.message()).isEqualTo("Forbidden by policy");
    }

    @Test
    void okWithoutMessagesIsAnUnreadableResponse() {
        ProviderError e = rejected(json(200, "{\"messaging_product\":\"whatsapp\",\"contacts\":[]}"));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        assertThat(e.httpStatus()).isEqualTo(200);
    }

    @Test
    void okWithAnEmptyMessageIdIsAnUnreadableResponse() {
        ProviderError e = rejected(json(200, "{\"messages\":[{\"id\":\"\"}]}"));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
    }

    @Test
    void okWithGarbageIsAnUnreadableResponse() {
        ProviderError e = rejected(aResponse().withStatus(200).withBody("<html>ok</html>"));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
    }

    @Test
    void okWithTruncatedJsonIsAnUnreadableResponse() {
        ProviderError e = rejected(json(200, "{\"messages\":[{\"id\":\"wamid.X\""));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
    }

    @Test
    void masksTheTokenAndTheNumberWhenMetaEchoesThem() {
        ProviderError e = rejected(json(400, metaError(100, "(#100) Invalid parameter to +33612345678 token "
                + TestAccounts.TOKEN_1, "Parameter to=33612345678 is wrong")));

        assertThat(e.message()).contains("+336****5678").doesNotContain(TestAccounts.TOKEN_1);
        assertThat(e.details()).contains("****5678").doesNotContain("33612345678");
    }

    @Test
    void doesNotFollowRedirects() {
        meta.stubFor(get(urlEqualTo("/elsewhere")).willReturn(aResponse().withStatus(200)));
        ProviderError e = rejected(aResponse().withStatus(307).withHeader("Location", meta.baseUrl() + "/elsewhere"));

        assertThat(e.code()).isEqualTo("HTTP_307");
        meta.verify(0, getRequestedFor(urlEqualTo("/elsewhere")));
    }

    @Test
    void aHostCatalogueOverridesTheClassification() {
        ErrorCatalogue custom = ErrorCatalogue.meta().toBuilder()
                .put("131026", ErrorCategory.TEMPORARY, "runbook: retry").build();
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).errorCatalogue(custom).asynchronous(asynchronous()).build()) {
            meta.stubFor(post(anyUrl()).willReturn(json(400, metaError(131026, "undeliverable", ""))));

            ProviderError e = ((SendResult.Rejected) send(p, Messages.whatsapp(MessageContent.text("x")))).error();

            assertThat(p.errorCatalogue()).isSameAs(custom);
            assertThat(p.errorCatalogue().classify(e).category()).isEqualTo(ErrorCategory.TEMPORARY);
        }
    }
}
