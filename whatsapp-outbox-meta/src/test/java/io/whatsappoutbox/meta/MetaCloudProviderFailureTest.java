package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Network failures, timeouts and missing configuration come back as results, never as exceptions. */
class MetaCloudProviderFailureTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static MetaCloudProvider provider(TestAccounts accounts, String baseUrl) {
        return MetaCloudProvider.builder().accounts(accounts).baseUrl(baseUrl)
                .connectTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofMillis(200))
                .callTimeout(Duration.ofSeconds(2)).build();
    }

    private static ProviderError rejected(SendResult result) {
        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        ProviderError error = ((SendResult.Rejected) result).error();
        Messages.assertNoSecrets(error);
        return error;
    }

    private ProviderError sendAgainst(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        meta.stubFor(post(anyUrl()).willReturn(response));
        try (MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            return rejected(p.send(Messages.whatsapp(MessageContent.text("Bonjour"))));
        }
    }

    @Test
    void readTimeoutIsATimeout() {
        ProviderError e = sendAgainst(aResponse().withStatus(200).withFixedDelay(1500).withBody("{}"));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(e.httpStatus()).isZero();
    }

    @Test
    void callTimeoutIsATimeout() {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("{}")));
        try (MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).readTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofMillis(200)).build()) {
            ProviderError e = rejected(p.send(Messages.whatsapp(MessageContent.text("Bonjour"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        }
    }

    @Test
    void connectionResetIsANetworkError() {
        ProviderError e = sendAgainst(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        assertThat(e.message()).startsWith("Network error calling Meta");
    }

    @Test
    void emptyResponseIsANetworkErrorAndIsNotRetriedSilently() {
        ProviderError e = sendAgainst(aResponse().withFault(Fault.EMPTY_RESPONSE));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        // a second POST could send the message twice: the outbox decides, not the HTTP client
        meta.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void garbageInsteadOfHttpIsANetworkError() {
        ProviderError e = sendAgainst(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
    }

    @Test
    void bodyBrokenOffAfterTheStatusIsUnreadable() {
        ProviderError e = sendAgainst(aResponse().withStatus(200).withFault(Fault.MALFORMED_RESPONSE_CHUNK));

        assertThat(e.code()).isIn(OutboxErrorCodes.UNREADABLE_RESPONSE, OutboxErrorCodes.NETWORK_ERROR);
    }

    @Test
    void refusedConnectionIsANetworkError() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (MetaCloudProvider p = provider(TestAccounts.standard(), "http://127.0.0.1:" + closedPort)) {
            ProviderError e = rejected(p.send(Messages.whatsapp(MessageContent.text("Bonjour"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
        }
    }

    @Test
    void orgWithoutAccountIsNotConfiguredAndNothingIsSent() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            ProviderError e = rejected(p.send(Messages.whatsapp("org-unknown", MessageContent.text("x"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains("org-unknown");
        }
        meta.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void disabledAccountIsNotConfiguredAndNothingIsSent() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            ProviderError e = rejected(p.send(Messages.whatsapp("org-off", MessageContent.text("x"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains("disabled");
        }
        meta.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void accountWithoutUsableTokenIsNotConfigured() {
        TestAccounts accounts = new TestAccounts(List.of(
                new WhatsAppAccount("org-1", "1", null, null, true),
                new WhatsAppAccount("org-2", "2", null, Secret.of("token with\nnewline"), true)));
        try (MetaCloudProvider p = provider(accounts, meta.baseUrl())) {
            ProviderError e1 = rejected(p.send(Messages.whatsapp("org-1", MessageContent.text("x"))));
            ProviderError e2 = rejected(p.send(Messages.whatsapp("org-2", MessageContent.text("x"))));

            assertThat(e1.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e2.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e2.message()).doesNotContain("newline");
        }
        meta.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void smsMessageIsNotForThisProvider() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            ProviderError e = rejected(p.send(TestMessages.stored(7,
                    OutboundMessageRequest.sms("org-1", Messages.TO).text("x").build(), MessageStatus.SENDING,
                    Messages.NOW)));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains(Channel.SMS.name());
        }
        meta.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void sharedClientGetsTheProvidersTimeoutsAndIsNotClosed() {
        OkHttpClient shared = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("{}")));
        MetaCloudProvider p = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl())
                .httpClient(shared).readTimeout(Duration.ofMillis(200)).build();

        ProviderError e = rejected(p.send(Messages.whatsapp(MessageContent.text("x"))));
        p.close();

        assertThat(e.code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
        shared.dispatcher().executorService().shutdown();
    }

    @Test
    void anInterruptedCallerGetsANetworkErrorAndKeepsItsInterruptFlag() {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(1500).withBody("{}")));
        try (MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            Thread.currentThread().interrupt();
            SendResult result = p.send(Messages.whatsapp(MessageContent.text("x")));
            boolean stillInterrupted = Thread.interrupted();

            assertThat(rejected(result).code()).isIn(OutboxErrorCodes.NETWORK_ERROR, OutboxErrorCodes.TIMEOUT);
            assertThat(stillInterrupted).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void logsNeitherTokenNorNumberNorText() {
        meta.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(400).withBody(
                MetaCloudProviderResponseTest.metaError(100, "bad +33612345678", "details"))));
        try (LogCapture logs = new LogCapture();
                MetaCloudProvider p = provider(TestAccounts.standard(), meta.baseUrl())) {
            p.send(Messages.whatsapp(MessageContent.text("private words 4242")));
            meta.stubFor(post(anyUrl()).willReturn(aResponse().withBody("{\"messages\":[{\"id\":\"wamid.1\"}]}")));
            p.send(Messages.whatsapp(MessageContent.text("private words 4242")));

            assertThat(logs.lines(ch.qos.logback.classic.Level.DEBUG)).isNotEmpty();
            assertThat(logs.all()).doesNotContain(TestAccounts.TOKEN_1, "33612345678", "private words");
        }
    }
}
