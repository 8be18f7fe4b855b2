package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.spi.SendResult;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a server that offers HTTP/2 by TLS ALPN, as Graph does: the provider's default
 * (non-blocking) path and its synchronous send both negotiate HTTP/2, and calls in flight together
 * are all answered over it. The server's certificate is a test-only one for localhost.
 */
class MetaCloudProviderTlsTest {
    private static final String KEYSTORE = "tls/localhost.p12";
    private static final String PASSWORD = "test-only";
    private static final String ACCEPTED = "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":"
            + "\"+33612345678\",\"wa_id\":\"33612345678\"}],\"messages\":[{\"id\":\"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI\"}]}";

    private WireMockServer graph;
    private MetaCloudProvider provider;

    @BeforeEach
    void start() throws Exception {
        graph = new WireMockServer(options().httpDisabled(true).dynamicHttpsPort()
                .keystorePath(keystorePath()).keystorePassword(PASSWORD).keyManagerPassword(PASSWORD)
                .keystoreType("PKCS12"));
        graph.start();
        graph.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(200)
                .withHeader("Content-Type", "application/json").withBody(ACCEPTED)));
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl("https://localhost:" + graph.httpsPort()).trustManager(trustingTheTestCertificate()).build();
    }

    @AfterEach
    void stop() {
        provider.close();
        graph.stop();
    }

    @Test
    void theDefaultPathIsNonBlockingAndSpeaksHttp2WhereTheServerOffersIt() {
        assertThat(provider.isAsynchronous()).as("asynchronous by default with its own client").isTrue();

        SendResult result = Messages.sentNonBlocking(provider, Messages.whatsapp(MessageContent.text("Bonjour")));

        assertThat(result).isInstanceOf(SendResult.Accepted.class);
        assertThat(protocols()).containsExactly("HTTP/2.0");
    }

    @Test
    void callsInFlightTogetherAreAllAnsweredOverHttp2() throws Exception {
        List<CompletableFuture<SendResult>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(provider.sendAsync(Messages.whatsapp(MessageContent.text("Bonjour " + i))).toCompletableFuture());
        }
        for (CompletableFuture<SendResult> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
        }
        assertThat(protocols()).hasSize(20).containsOnly("HTTP/2.0");
    }

    @Test
    void theSynchronousSendSpeaksHttp2Too() {
        SendResult result = provider.send(Messages.whatsapp(MessageContent.text("Bonjour")));

        assertThat(result).isInstanceOf(SendResult.Accepted.class);
        assertThat(protocols()).containsExactly("HTTP/2.0");
    }

    private List<String> protocols() {
        return graph.getAllServeEvents().stream().map(ServeEvent::getRequest).map(r -> r.getProtocol()).toList();
    }

    private static String keystorePath() throws Exception {
        return Path.of(MetaCloudProviderTlsTest.class.getClassLoader().getResource(KEYSTORE).toURI()).toString();
    }

    private static X509TrustManager trustingTheTestCertificate() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = MetaCloudProviderTlsTest.class.getClassLoader().getResourceAsStream(KEYSTORE)) {
            store.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return (X509TrustManager) trust.getTrustManagers()[0];
    }
}
