package io.whatsappoutbox.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.whatsappoutbox.sms.TwilioFixtures.ACCOUNT_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.FROM;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGES_PATH;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGE_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.NOW;
import static io.whatsappoutbox.sms.TwilioFixtures.TO;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN_VALUE;
import static io.whatsappoutbox.sms.TwilioFixtures.error;
import static io.whatsappoutbox.sms.TwilioFixtures.sms;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorClassification;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Twilio's refusals as it sends them, and answers that are not Twilio's. */
class TwilioSmsProviderErrorsTest {

    @RegisterExtension
    static WireMockExtension twilio = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TwilioSmsProvider provider() {
        return TwilioSmsProvider.builder().baseUrl(twilio.baseUrl()).accountSid(ACCOUNT_SID).authToken(TOKEN)
                .from(FROM).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    private ProviderError rejectedWith(ResponseDefinitionBuilder response) {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(response));
        try (TwilioSmsProvider p = provider()) {
            SendResult result = send(p, sms("Hello"));
            assertThat(result).isInstanceOf(SendResult.Rejected.class);
            return ((SendResult.Rejected) result).error();
        }
    }

    /** How every case sends; the asynchronous path's subclass sends with sendAsync. */
    SendResult send(TwilioSmsProvider p, OutboundMessage message) {
        return p.send(message);
    }

    private static ErrorCategory category(ProviderError error) {
        return ErrorCatalogue.twilio().classify(error).category();
    }

    static Stream<ErrorClassification> catalogueCodes() {
        return ErrorCatalogue.twilio().entries().stream();
    }

    /** The HTTP status Twilio answers each code with. */
    private static int statusOf(String code) {
        switch (code) {
            case "20003":
                return 401;
            case "20404":
                return 404;
            case "20429":
                return 429;
            default:
                return 400;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogueCodes")
    void every_catalogued_code_comes_back_with_its_status_message_and_more_info(ErrorClassification entry) {
        int status = statusOf(entry.code());
        ProviderError e = rejectedWith(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("Twilio-Request-Id", "RQ0123456789abcdef0123456789abcdef")
                .withBody(error(Integer.parseInt(entry.code()), "Refused: " + entry.description(), status)));
        assertThat(e.code()).isEqualTo(entry.code());
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.message()).isEqualTo("Refused: " + entry.description());
        assertThat(e.details()).isEqualTo("https://www.twilio.com/docs/errors/" + entry.code());
        assertThat(e.traceId()).isEqualTo("RQ0123456789abcdef0123456789abcdef");
        assertThat(category(e)).isEqualTo(entry.category());
    }

    @Test
    void an_invalid_number_error_is_stored_with_the_echoed_number_masked() {
        ProviderError e = rejectedWith(aResponse().withStatus(400).withBody(
                error(21211, "The 'To' number " + TO + " is not a valid phone number.", 400)));
        assertThat(e.code()).isEqualTo("21211");
        assertThat(e.message()).isEqualTo("The 'To' number +336****5678 is not a valid phone number.");
        assertThat(category(e)).isEqualTo(ErrorCategory.INVALID_RECIPIENT);
    }

    @Test
    void an_unsubscribed_recipient_revokes_consent() {
        ProviderError e = rejectedWith(aResponse().withStatus(400).withBody(error(21610,
                "Attempt to send to unsubscribed recipient", 400)));
        assertThat(ErrorCatalogue.twilio().classify(e).revokesConsent()).isTrue();
        assertThat(category(e)).isEqualTo(ErrorCategory.OPTED_OUT);
    }

    @Test
    void too_many_requests_carries_retry_after_in_seconds() {
        ProviderError e = rejectedWith(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withBody(error(20429, "Too Many Requests", 429)));
        assertThat(e.code()).isEqualTo("20429");
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(category(e)).isEqualTo(ErrorCategory.RATE_LIMITED);
    }

    @Test
    void retry_after_as_an_http_date_is_measured_from_the_clock() {
        ProviderError e = rejectedWith(aResponse().withStatus(429)
                .withHeader("Retry-After", "Thu, 01 Jan 2026 00:00:30 GMT")
                .withBody(error(20429, "Too Many Requests", 429)));
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void an_unreadable_retry_after_is_no_hint() {
        ProviderError e = rejectedWith(aResponse().withStatus(429).withHeader("Retry-After", "soon")
                .withBody(error(20429, "Too Many Requests", 429)));
        assertThat(e.retryAfter()).isNull();
    }

    @Test
    void a_code_sent_as_a_string_is_read_too() {
        ProviderError e = rejectedWith(aResponse().withStatus(400)
                .withBody("{\"code\":\"21408\",\"message\":\"Permission to send an SMS has not been enabled\","
                        + "\"status\":400}"));
        assertThat(e.code()).isEqualTo("21408");
        assertThat(e.details()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void a_server_error_without_a_body_is_retried(int status) {
        ProviderError e = rejectedWith(aResponse().withStatus(status));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.http(status));
        assertThat(e.httpStatus()).isEqualTo(status);
        // 502-504 say the provider is down (they count against its circuit breaker); 500 is one request's failure
        assertThat(category(e)).isEqualTo(status == 500 ? ErrorCategory.TEMPORARY : ErrorCategory.PROVIDER_UNAVAILABLE);
        assertThat(category(e).retryable()).isTrue();
    }

    @Test
    void a_server_error_with_retry_after_keeps_it() {
        ProviderError e = rejectedWith(aResponse().withStatus(503).withHeader("Retry-After", "120"));
        assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void an_html_error_page_is_reported_by_its_status() {
        ProviderError e = rejectedWith(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><body><h1>502 Bad Gateway</h1></body></html>"));
        assertThat(e.code()).isEqualTo("HTTP_502");
        assertThat(e.message()).doesNotContain("<html>");
        assertThat(category(e)).isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
    }

    @Test
    void a_json_error_without_a_code_is_reported_by_its_status_with_its_message() {
        ProviderError e = rejectedWith(aResponse().withStatus(401)
                .withBody("{\"message\":\"Authenticate\",\"status\":401}"));
        assertThat(e.code()).isEqualTo("HTTP_401");
        assertThat(e.message()).isEqualTo("Authenticate");
        assertThat(category(e)).isEqualTo(ErrorCategory.AUTH_CONFIG);
    }

    @Test
    void a_redirect_is_not_followed() {
        ProviderError e = rejectedWith(aResponse().withStatus(302).withHeader("Location", "https://elsewhere.example/"));
        assertThat(e.code()).isEqualTo("HTTP_302");
        assertThat(twilio.getAllServeEvents()).hasSize(1);
    }

    @Test
    void an_html_page_with_status_200_is_unreadable() {
        ProviderError e = rejectedWith(aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                .withBody("<html>Service temporarily unavailable</html>"));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        assertThat(e.httpStatus()).isEqualTo(200);
        assertThat(category(e)).isEqualTo(ErrorCategory.TEMPORARY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"sid\": \"SM12", "not json at all", "[1,2,3]", "\"SM123\"", "", "{}",
            "{\"sid\": null, \"status\": \"queued\"}", "{\"sid\": \"  \"}", "{\"sid\": {\"nested\": 1}}"})
    void a_2xx_body_without_a_readable_sid_is_unreadable(String body) {
        ProviderError e = rejectedWith(aResponse().withStatus(201).withBody(body));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
        assertThat(e.httpStatus()).isEqualTo(201);
    }

    @Test
    void a_2xx_resource_with_an_error_code_is_rejected_with_that_code() {
        String body = TwilioFixtures.created("failed").replace("\"error_code\": null", "\"error_code\": 30007")
                .replace("\"error_message\": null", "\"error_message\": \"Message filtered for " + TO + "\"");
        ProviderError e = rejectedWith(aResponse().withStatus(201).withBody(body));
        assertThat(e.code()).isEqualTo("30007");
        assertThat(e.httpStatus()).isEqualTo(201);
        assertThat(e.message()).isEqualTo("Message filtered for +336****5678");
        assertThat(category(e)).isEqualTo(ErrorCategory.BAD_REQUEST);
    }

    @Test
    void a_2xx_resource_with_an_error_code_and_no_message_gets_one() {
        String body = "{\"sid\":\"" + MESSAGE_SID + "\",\"status\":\"failed\",\"error_code\":\"30003\"}";
        ProviderError e = rejectedWith(aResponse().withStatus(200).withBody(body));
        assertThat(e.code()).isEqualTo("30003");
        assertThat(e.message()).contains("30003");
    }

    @Test
    void no_token_nor_full_number_in_errors_or_logs_even_when_twilio_echoes_them() {
        try (LogCapture logs = new LogCapture()) {
            ProviderError e = rejectedWith(aResponse().withStatus(400).withBody(error(21211,
                    "Invalid To " + TO + " (digits 33612345678) for token " + TOKEN_VALUE, 400)));
            String stored = e.message() + " " + e.details() + " " + e.describe();
            assertThat(stored).doesNotContain(TO).doesNotContain("33612345678").doesNotContain(TOKEN_VALUE)
                    .contains("+336****5678");
            assertThat(logs.all()).isNotBlank().doesNotContain(TO).doesNotContain("33612345678")
                    .doesNotContain(TOKEN_VALUE).doesNotContain("Hello").contains("21211").contains("+336****5678");
        }
    }

    @Test
    void a_huge_2xx_body_is_unreadable_rather_than_held_in_memory() {
        String huge = "{\"sid\":\"SM1\",\"pad\":\"" + "x".repeat(300 * 1024) + "\"}";
        ProviderError e = rejectedWith(aResponse().withStatus(201).withBody(huge));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE);
    }
}
