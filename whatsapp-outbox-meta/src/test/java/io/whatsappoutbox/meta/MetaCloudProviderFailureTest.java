package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.testing.HttpProviderFailureContract;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Network failures, timeouts and missing configuration come back as results, never as exceptions:
 * the failures of the call as for every HTTP provider (the contract's cases), and Meta's own.
 */
class MetaCloudProviderFailureTest extends HttpProviderFailureContract<MetaCloudProvider> {

    @Override
    protected String providerName() {
        return "Meta";
    }

    @Override
    protected MetaCloudProvider provider(String baseUrl, Duration readTimeout, Duration callTimeout,
            OkHttpClient shared) {
        return MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(baseUrl).httpClient(shared)
                .readTimeout(readTimeout).callTimeout(callTimeout).asynchronous(asynchronous()).build();
    }

    @Override
    protected OutboundMessage message() {
        return Messages.whatsapp(MessageContent.text("Bonjour"));
    }

    @Override
    protected ResponseDefinitionBuilder accepted() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"+33612345678\","
                        + "\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}");
    }

    @Override
    protected List<String> secrets() {
        return List.of(TestAccounts.TOKEN_1, Messages.TO, Messages.TO.substring(1));
    }

    @Override
    protected OkHttpClient clientOf(MetaCloudProvider provider) {
        return provider.httpClient();
    }

    private MetaCloudProvider provider(TestAccounts accounts, String baseUrl) {
        return MetaCloudProvider.builder().accounts(accounts).baseUrl(baseUrl)
                .connectTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofMillis(200))
                .callTimeout(Duration.ofSeconds(2)).asynchronous(asynchronous()).build();
    }

    private static ProviderError rejected(SendResult result) {
        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        ProviderError error = ((SendResult.Rejected) result).error();
        Messages.assertNoSecrets(error);
        return error;
    }

    @Test
    void orgWithoutAccountIsNotConfiguredAndNothingIsSent() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), server.baseUrl())) {
            ProviderError e = rejected(send(p, Messages.whatsapp("org-unknown", MessageContent.text("x"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains("org-unknown");
        }
        server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void disabledAccountIsNotConfiguredAndNothingIsSent() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), server.baseUrl())) {
            ProviderError e = rejected(send(p, Messages.whatsapp("org-off", MessageContent.text("x"))));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains("disabled");
        }
        server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void accountWithoutUsableTokenIsNotConfigured() {
        TestAccounts accounts = new TestAccounts(List.of(
                new WhatsAppAccount("org-1", "1", null, null, true),
                new WhatsAppAccount("org-2", "2", null, Secret.of("token with\nnewline"), true)));
        try (MetaCloudProvider p = provider(accounts, server.baseUrl())) {
            ProviderError e1 = rejected(send(p, Messages.whatsapp("org-1", MessageContent.text("x"))));
            ProviderError e2 = rejected(send(p, Messages.whatsapp("org-2", MessageContent.text("x"))));

            assertThat(e1.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e2.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e2.message()).doesNotContain("newline");
        }
        server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void smsMessageIsNotForThisProvider() {
        try (MetaCloudProvider p = provider(TestAccounts.standard(), server.baseUrl())) {
            ProviderError e = rejected(send(p, TestMessages.stored(7,
                    OutboundMessageRequest.sms("org-1", Messages.TO).text("x").build(), MessageStatus.SENDING,
                    Messages.NOW)));

            assertThat(e.code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED);
            assertThat(e.message()).contains(Channel.SMS.name());
        }
        server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void logsNeitherTokenNorNumberNorText() {
        server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(400).withBody(
                MetaCloudProviderResponseTest.metaError(100, "bad +33612345678", "details"))));
        try (LogCapture logs = new LogCapture();
                MetaCloudProvider p = provider(TestAccounts.standard(), server.baseUrl())) {
            send(p, Messages.whatsapp(MessageContent.text("private words 4242")));
            server.stubFor(post(anyUrl()).willReturn(aResponse().withBody("{\"messages\":[{\"id\":\"wamid.1\"}]}")));
            send(p, Messages.whatsapp(MessageContent.text("private words 4242")));

            assertThat(logs.lines(ch.qos.logback.classic.Level.DEBUG)).isNotEmpty();
            assertThat(logs.all()).doesNotContain(TestAccounts.TOKEN_1, "33612345678", "private words");
        }
    }
}
