package io.whatsappoutbox.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.whatsappoutbox.sms.TwilioFixtures.ACCOUNT_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.FROM;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGES_PATH;
import static io.whatsappoutbox.sms.TwilioFixtures.TO;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN_VALUE;
import static io.whatsappoutbox.sms.TwilioFixtures.created;
import static io.whatsappoutbox.sms.TwilioFixtures.sms;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Failures before Twilio answers: they come back as results, never as exceptions. */
class TwilioSmsProviderNetworkTest {

    @RegisterExtension
    static WireMockExtension twilio = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** Generous timeouts, so that only the tests about timeouts can time out on a slow machine. */
    private static TwilioSmsProvider.Builder provider(String baseUrl) {
        return TwilioSmsProvider.builder().baseUrl(baseUrl).accountSid(ACCOUNT_SID).authToken(TOKEN).from(FROM)
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(20));
    }

    private static ProviderError rejected(TwilioSmsProvider provider) {
        try (provider) {
            SendResult result = provider.send(sms("Hello"));
            assertThat(result).isInstanceOf(SendResult.Rejected.class);
            return ((SendResult.Rejected) result).error();
        }
    }

    private ProviderError rejectedWith(ResponseDefinitionBuilder response) {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(response));
        return rejected(provider(twilio.baseUrl()).build());
    }

    /** A 200 ms read timeout against an answer held back far longer. */
    private ProviderError rejectedWithShortReadTimeout(ResponseDefinitionBuilder response) {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(response));
        return rejected(provider(twilio.baseUrl()).readTimeout(Duration.ofMillis(200)).build());
    }

    private static void assertClean(ProviderError e) {
        assertThat(e.message() + e.details()).doesNotContain(TOKEN_VALUE).doesNotContain(TO);
    }

    @Test
    void no_answer_within_the_read_timeout_is_a_timeout() {
        ProviderError e = rejectedWithShortReadTimeout(aResponse().withStatus(201).withBody(created("queued"))
                .withFixedDelay(3_000));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isZero();
        assertThat(ErrorCatalogue.twilio().classify(e).category()).isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
        assertClean(e);
    }

    @Test
    void a_body_that_stalls_half_way_is_a_timeout() {
        ProviderError e = rejectedWithShortReadTimeout(aResponse().withStatus(201).withBody(created("queued"))
                .withChunkedDribbleDelay(3, 3_000));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
    }

    @Test
    void the_call_timeout_bounds_the_whole_call() {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH))
                .willReturn(aResponse().withStatus(201).withBody(created("queued")).withFixedDelay(3_000)));
        ProviderError e = rejected(provider(twilio.baseUrl()).readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofMillis(200)).build());
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void a_broken_connection_is_a_network_error(Fault fault) {
        ProviderError e = rejectedWith(aResponse().withFault(fault));
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.message()).startsWith("Network failure calling Twilio");
        assertClean(e);
    }

    @Test
    void a_refused_connection_is_a_network_error() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ProviderError e = rejected(provider("http://127.0.0.1:" + port).build());
        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
    }

    @Test
    void a_failure_is_logged_once_with_the_masked_recipient_only() {
        try (LogCapture logs = new LogCapture()) {
            rejectedWith(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN")).hasSize(1);
            assertThat(logs.all()).contains(OutboxErrorCodes.NETWORK_ERROR).contains("+336****5678")
                    .doesNotContain(TO).doesNotContain(TOKEN_VALUE);
        }
    }
}
