package io.whatsappoutbox.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
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
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.HttpProviderFailureContract;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Failures before Twilio answers come back as results, never as exceptions: the failures of the
 * call as for every HTTP provider (the contract's cases), and how Twilio's are logged.
 */
class TwilioSmsProviderNetworkTest extends HttpProviderFailureContract<TwilioSmsProvider> {

    @Override
    protected String providerName() {
        return "Twilio";
    }

    @Override
    protected TwilioSmsProvider provider(String baseUrl, Duration readTimeout, Duration callTimeout,
            OkHttpClient shared) {
        return TwilioSmsProvider.builder().baseUrl(baseUrl).accountSid(ACCOUNT_SID).authToken(TOKEN).from(FROM)
                .httpClient(shared).connectTimeout(Duration.ofSeconds(5)).readTimeout(readTimeout)
                .callTimeout(callTimeout).build();
    }

    @Override
    protected OutboundMessage message() {
        return sms("Hello");
    }

    @Override
    protected ResponseDefinitionBuilder accepted() {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(created("queued"));
    }

    @Override
    protected List<String> secrets() {
        return List.of(TOKEN_VALUE, TO, TO.substring(1));
    }

    @Override
    protected OkHttpClient clientOf(TwilioSmsProvider provider) {
        return provider.httpClient();
    }

    @Test
    void a_timeout_counts_as_the_provider_being_unavailable() {
        assertThat(ErrorCatalogue.twilio().lookup(OutboxErrorCodes.TIMEOUT).orElseThrow().category())
                .isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
    }

    @Test
    void a_failure_is_logged_once_with_the_masked_recipient_only() {
        server.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        try (LogCapture logs = new LogCapture();
                TwilioSmsProvider provider = provider(server.baseUrl(), Duration.ofSeconds(10), Duration.ofSeconds(20),
                        null)) {
            assertThat(provider.send(sms("Hello"))).isInstanceOf(SendResult.Rejected.class);

            assertThat(logs.lines()).filteredOn(l -> l.startsWith("WARN")).hasSize(1);
            assertThat(logs.all()).contains(OutboxErrorCodes.NETWORK_ERROR).contains("+336****5678")
                    .doesNotContain(TO).doesNotContain(TOKEN_VALUE);
        }
    }
}
