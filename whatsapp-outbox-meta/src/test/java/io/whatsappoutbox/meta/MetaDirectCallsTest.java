package io.whatsappoutbox.meta;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.testing.Contents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Media upload and read receipts go to Meta as its reference documents them, with the org's number and token. */
class MetaDirectCallsTest {
    @RegisterExtension
    static WireMockExtension meta = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    static final String MEDIA = "/v23.0/" + TestAccounts.ORG_1.phoneNumberId() + "/media";
    static final String MESSAGES = "/v23.0/" + TestAccounts.ORG_2.phoneNumberId() + "/messages";
    static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3};

    MetaCloudProvider provider;
    MetaDirectCalls calls;

    @BeforeEach
    void setUp() {
        provider = MetaCloudProvider.builder().accounts(TestAccounts.standard()).baseUrl(meta.baseUrl()).build();
        calls = provider.directCalls();
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void uploadsBytesAsMetasMultipartFormAndReturnsTheMediaId() {
        meta.stubFor(post(urlEqualTo(MEDIA)).withHeader("Authorization", equalTo("Bearer " + TestAccounts.TOKEN_1))
                .withHeader("Content-Type", containing("multipart/form-data"))
                .withMultipartRequestBody(aMultipart().withName("messaging_product").withBody(equalTo("whatsapp")))
                .withMultipartRequestBody(aMultipart().withName("type").withBody(equalTo("image/jpeg")))
                .withMultipartRequestBody(aMultipart().withName("file").withHeader("Content-Type", equalTo("image/jpeg"))
                        .withHeader("Content-Disposition", containing("filename=\"flat-42.jpg\""))
                        .withBody(binaryEqualTo(JPEG)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"1479537139650973\"}")));
        assertThat(calls.uploadMedia("org-1", JPEG, "image/jpeg", "flat-42.jpg")).isEqualTo("1479537139650973");
        meta.verify(1, postRequestedFor(urlEqualTo(MEDIA)));
    }

    @Test
    void uploadsAFileStreamedFromDisk(@TempDir Path dir) throws Exception {
        Path pdf = dir.resolve("bail.pdf");
        Files.write(pdf, "%PDF-1.7 bail".getBytes(StandardCharsets.US_ASCII));
        meta.stubFor(post(urlEqualTo(MEDIA))
                .withMultipartRequestBody(aMultipart().withName("type").withBody(equalTo("application/pdf")))
                .withMultipartRequestBody(aMultipart().withName("file")
                        .withHeader("Content-Disposition", containing("filename=\"bail.pdf\""))
                        .withBody(equalTo("%PDF-1.7 bail")))
                .willReturn(aResponse().withStatus(200).withBody("{\"id\":\"987\"}")));
        assertThat(calls.uploadMedia("org-1", pdf, "application/pdf")).isEqualTo("987");
    }

    @Test
    void refusesAnUnsupportedTypeOrAnOversizedFileBeforeCallingMeta() {
        assertThatThrownBy(() -> calls.uploadMedia("org-1", JPEG, "image/gif", "a.gif"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("mimeType")).isTrue());
        assertThatThrownBy(() -> calls.uploadMedia("org-1", new byte[500_001], "image/webp", "s.webp"))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.getMessage()).contains("at most 500000 bytes"));
        assertThatThrownBy(() -> calls.uploadMedia("org-1", JPEG, "image/jpeg", "../etc/passwd"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("filename")).isTrue());
        meta.verify(0, postRequestedFor(urlEqualTo(MEDIA)));
    }

    @Test
    void carriesMetasErrorWithItsCodeAndWithoutTheToken() {
        meta.stubFor(post(urlEqualTo(MEDIA)).willReturn(aResponse().withStatus(400).withBody(
                "{\"error\":{\"message\":\"(#131053) Media upload error\",\"type\":\"OAuthException\",\"code\":131053,"
                        + "\"error_data\":{\"details\":\"Unsupported file type " + TestAccounts.TOKEN_1 + "\"},"
                        + "\"fbtrace_id\":\"A1\"}}")));
        assertThatThrownBy(() -> calls.uploadMedia("org-1", JPEG, "image/jpeg", "a.jpg"))
                .isInstanceOfSatisfying(MetaCallException.class, e -> {
                    assertThat(e.error().code()).isEqualTo("131053");
                    assertThat(provider.errorCatalogue().classify(e.error()).category())
                            .isEqualTo(ErrorCategory.BAD_REQUEST);
                    assertThat(e.getMessage()).doesNotContain(TestAccounts.TOKEN_1);
                });
    }

    @Test
    void marksAnInboundMessageReadWithTheOrgsOwnNumber() {
        meta.stubFor(post(urlEqualTo(MESSAGES)).withHeader("Authorization", equalTo("Bearer " + TestAccounts.TOKEN_2))
                .withRequestBody(equalToJson("{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\""
                        + Contents.WAMID + "\"}"))
                .willReturn(aResponse().withStatus(200).withBody("{\"success\":true}")));
        calls.markAsRead("org-2", Contents.WAMID);
        meta.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
    }

    @Test
    void showsTheTypingIndicatorWithTheReadReceipt() {
        meta.stubFor(post(urlEqualTo(MESSAGES))
                .withRequestBody(equalToJson("{\"messaging_product\":\"whatsapp\",\"status\":\"read\",\"message_id\":\""
                        + Contents.WAMID + "\",\"typing_indicator\":{\"type\":\"text\"}}"))
                .willReturn(aResponse().withStatus(200).withBody("{\"success\":true}")));
        calls.markAsReadAndShowTyping("org-2", Contents.WAMID);
        meta.verify(1, postRequestedFor(urlEqualTo(MESSAGES)));
    }

    @Test
    void aReadReceiptMetaDoesNotConfirmIsAnError() {
        meta.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(200).withBody("{\"success\":false}")));
        assertThatThrownBy(() -> calls.markAsRead("org-2", Contents.WAMID))
                .isInstanceOfSatisfying(MetaCallException.class,
                        e -> assertThat(e.error().code()).isEqualTo(OutboxErrorCodes.UNREADABLE_RESPONSE));
        assertThatThrownBy(() -> calls.markAsRead("org-2", "not a wamid"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.concerns("messageId")).isTrue());
    }

    @Test
    void anOrgWithoutAnAccountIsNotConfigured() {
        assertThatThrownBy(() -> calls.markAsRead("org-unknown", Contents.WAMID))
                .isInstanceOfSatisfying(MetaCallException.class,
                        e -> assertThat(e.error().code()).isEqualTo(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED));
    }

    @Test
    void aFailedCallIsMappedAsASendsIs() {
        meta.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> calls.markAsRead("org-2", Contents.WAMID))
                .isInstanceOfSatisfying(MetaCallException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
                    assertThat(e.error().message()).startsWith("Network error calling Meta");
                });
        meta.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(200).withBody("{\"success\":true}")
                .withFixedDelay(1_500)));
        try (MetaCloudProvider slow = MetaCloudProvider.builder().accounts(TestAccounts.standard())
                .baseUrl(meta.baseUrl()).readTimeout(Duration.ofMillis(200)).build()) {
            assertThatThrownBy(() -> slow.directCalls().markAsRead("org-2", Contents.WAMID))
                    .isInstanceOfSatisfying(MetaCallException.class,
                            e -> assertThat(e.error().code()).isEqualTo(OutboxErrorCodes.TIMEOUT));
        }
    }

    @Test
    void sharesTheProvidersClientAndClosesWithIt() {
        assertThat(calls.httpClient()).isSameAs(provider.httpClient());
        provider.close();

        assertThatThrownBy(() -> calls.markAsRead("org-2", Contents.WAMID))
                .isInstanceOfSatisfying(MetaCallException.class, e -> {
                    assertThat(e.error().code()).isEqualTo(OutboxErrorCodes.NETWORK_ERROR);
                    assertThat(e.error().message()).contains("closed");
                });
        meta.verify(0, postRequestedFor(urlEqualTo(MESSAGES)));
    }
}
