package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same requests, byte for byte the same JSON, URL and headers, through the non-blocking
 * asynchronous path; to a cleartext stub over HTTP/1.1, without an h2c upgrade.
 */
class MetaCloudProviderAsyncRequestTest extends MetaCloudProviderRequestTest {
    @Override
    boolean asynchronous() {
        return true;
    }

    @Override
    SendResult send(MetaCloudProvider p, OutboundMessage message) {
        return Messages.sentNonBlocking(p, message);
    }

    @Test
    void aCleartextStubIsCalledOverHttp11WithoutAnUpgrade() {
        expect(URL_1, TestAccounts.TOKEN_1, envelope("text", "{\"preview_url\":false,\"body\":\"hi\"}"));

        assertThat(send(provider, Messages.whatsapp(MessageContent.text("hi")))).isInstanceOf(SendResult.Accepted.class);

        List<LoggedRequest> sent = meta.findAll(postRequestedFor(anyUrl()));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).getProtocol()).isEqualTo("HTTP/1.1");
        assertThat(sent.get(0).containsHeader("Upgrade")).isFalse();
        assertThat(sent.get(0).containsHeader("HTTP2-Settings")).isFalse();
        assertThat(sent.get(0).getHeader("Accept")).isEqualTo("application/json");
    }
}
