package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Meta stub's answers read by the real Meta provider as Meta's own: no database involved. */
class MetaStubTest {
    @RegisterExtension
    static OutboxTestKit kit = OutboxTestKit.builder().build();

    MetaCloudProvider provider;

    @BeforeEach
    void start() {
        // generous: the first call of the JVM is slow on a loaded machine, and only the delay test is about time
        provider = MetaCloudProvider.builder().accounts(new KitAccounts()).baseUrl(kit.meta().baseUrl())
                .readTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    static OutboundMessage text(String to) {
        return TestMessages.stored(7, OutboundMessageRequest.whatsapp(KitAccounts.ORG, to).text("Bonjour").build(),
                MessageStatus.SENDING, Instant.now());
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of(MetaError.REENGAGEMENT, ErrorCategory.SESSION_EXPIRED),
                Arguments.of(MetaError.UNDELIVERABLE, ErrorCategory.UNDELIVERABLE),
                Arguments.of(MetaError.RATE_LIMIT, ErrorCategory.RATE_LIMITED),
                Arguments.of(MetaError.PAIR_RATE_LIMIT, ErrorCategory.RATE_LIMITED),
                Arguments.of(MetaError.TOKEN_EXPIRED, ErrorCategory.AUTH_CONFIG),
                Arguments.of(MetaError.TEMPLATE_MISSING, ErrorCategory.TEMPLATE),
                Arguments.of(MetaError.TEMPORARY, ErrorCategory.TEMPORARY));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void eachScriptedErrorReachesTheProviderAsMetasCodeAndTheLibraryClassifiesIt(MetaError error,
            ErrorCategory category) {
        kit.meta().failNext(error);

        SendResult result = provider.send(text("+33612345678"));

        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        ProviderError e = ((SendResult.Rejected) result).error();
        assertThat(e.code()).isEqualTo(Integer.toString(error.code()));
        assertThat(e.httpStatus()).isEqualTo(error.httpStatus());
        assertThat(e.message()).isEqualTo("(#" + error.code() + ") " + error.message());
        assertThat(provider.errorCatalogue().classify(e).category()).isEqualTo(category);
        assertThat(kit.meta().sends()).singleElement().satisfies(s -> assertThat(s.error()).isEqualTo(error));
    }

    @Test
    void aRateLimitCarriesItsRetryAfter() {
        kit.meta().failNext(MetaError.RATE_LIMIT.withRetryAfter(Duration.ofSeconds(30)));

        ProviderError e = ((SendResult.Rejected) provider.send(text("+33612345678"))).error();

        assertThat(e.code()).isEqualTo("130429");
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void acceptsWithADistinctWamidPerSendAndKeepsEachSendForItsRecipient() {
        SendResult first = provider.send(text("+33612345678"));
        SendResult second = provider.send(text("+33612345678"));
        provider.send(text("+33698765432"));

        assertThat(first).isInstanceOf(SendResult.Accepted.class);
        String wamid = ((SendResult.Accepted) first).providerMessageId();
        assertThat(wamid).startsWith("wamid.").isNotEqualTo(((SendResult.Accepted) second).providerMessageId());
        kit.meta().assertSendsTo("+33612345678", 2);
        kit.meta().assertSendsTo("+33698765432", 1);
        assertThat(kit.meta().sendsTo("+33612345678").get(0)).satisfies(s -> {
            assertThat(s.wamid()).isEqualTo(wamid);
            assertThat(s.type()).isEqualTo("text");
            assertThat(s.body()).contains("\"body\":\"Bonjour\"");
        });
    }

    @Test
    void aDelayLongerThanTheProvidersTimeoutIsALostAnswerAfterTheSendArrived() {
        kit.meta().delayAnswers(Duration.ofSeconds(2));
        SendResult result;
        try (MetaCloudProvider impatient = MetaCloudProvider.builder().accounts(new KitAccounts())
                .baseUrl(kit.meta().baseUrl()).readTimeout(Duration.ofMillis(200)).callTimeout(Duration.ofSeconds(1))
                .build()) {
            result = impatient.send(text("+33612345678"));
        }

        assertThat(result).isInstanceOf(SendResult.Rejected.class);
        assertThat(((SendResult.Rejected) result).error().code()).isEqualTo(OutboxErrorCodes.TIMEOUT);
        kit.meta().awaitSendsTo("+33612345678", 1);
    }

    @Test
    void aReceiptNamesTheSendsPhoneNumberIdAndRecipientAndIsSignedWithTheAppSecret() {
        String wamid = ((SendResult.Accepted) provider.send(text("+33612345678"))).providerMessageId();

        SignedWebhook receipt = kit.meta().delivered(wamid);

        assertThat(receipt.body()).contains("\"phone_number_id\":\"" + MetaStub.PHONE_NUMBER_ID + "\"")
                .contains("\"id\":\"" + wamid + "\"").contains("\"status\":\"delivered\"")
                .contains("\"recipient_id\":\"33612345678\"");
        assertThat(receipt.headers()).containsEntry(WebhookSigner.META_HEADER,
                WebhookSigner.metaSignature(kit.meta().appSecret(), receipt.bodyBytes()));
    }
}
