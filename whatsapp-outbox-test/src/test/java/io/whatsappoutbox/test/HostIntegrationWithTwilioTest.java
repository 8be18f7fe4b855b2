package io.whatsappoutbox.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.sms.TwilioSmsProvider;
import io.whatsappoutbox.sms.TwilioStatusCallbackHandler;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A host's SMS integration: the real Twilio provider on the kit's stub, its signed callbacks through the real handler. */
class HostIntegrationWithTwilioTest {
    static final String ORG = "org-1";
    static final String CALLBACK_URL = "https://host.example/webhooks/sms/status";

    @RegisterExtension
    static OutboxTestKit kit = OutboxTestKit.builder().freshDatabase(FreshDatabase.PER_TEST).build();

    JdbcOutbox outbox;
    Dispatcher dispatcher;
    TwilioStatusCallbackHandler callbacks;

    @BeforeEach
    void start() {
        outbox = JdbcOutbox.builder().dataSource(kit.dataSource()).build();
        TwilioSmsProvider sms = TwilioSmsProvider.builder().baseUrl(kit.twilio().baseUrl())
                .accountSid(TwilioStub.ACCOUNT_SID).authToken(kit.twilio().authToken()).from(TwilioStub.FROM)
                .statusCallbackUrl(URI.create(CALLBACK_URL)).build();
        dispatcher = outbox.dispatcher().provider(Channel.SMS, sms)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(2)).build())
                .pollInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(5)).build();
        dispatcher.start();
        callbacks = TwilioStatusCallbackHandler.builder().authToken(kit.twilio().authToken()).publicUrl(CALLBACK_URL)
                .sink(dispatcher.webhooks()).build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
    }

    long enqueueSms(String to) {
        outbox.consents().grant(ORG, PhoneNumber.of(to), Channel.SMS, "test", "test");
        return outbox.enqueue(OutboundMessageRequest.sms(ORG, to).text("Votre rendez-vous est demain à 10h")
                .idempotencyKey("sms-1").build()).message().id();
    }

    @Test
    void anSmsIsSentOnceAndItsSignedCallbackMakesItDelivered() {
        long id = enqueueSms("+33612345678");

        TwilioSend send = kit.twilio().awaitSendsTo("+33612345678", 1).get(0);
        assertThat(send.from()).isEqualTo(TwilioStub.FROM);
        assertThat(send.text()).isEqualTo("Votre rendez-vous est demain à 10h");
        assertThat(send.statusCallback()).isEqualTo(CALLBACK_URL);
        OutboundMessage sent = kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT);
        assertThat(sent.providerMessageId()).isEqualTo(send.sid());

        SignedWebhook delivered = kit.twilio().delivered(send.sid());
        assertThat(delivered.url()).isEqualTo(CALLBACK_URL);
        assertThat(callbacks.handle(delivered.tampered().request()).status()).isEqualTo(401);
        kit.assertStatus(outbox, ORG, id, MessageStatus.SENT);
        assertThat(callbacks.handle(delivered.request()).status()).isEqualTo(200);
        kit.assertStatus(outbox, ORG, id, MessageStatus.DELIVERED);
    }

    @Test
    void anUnsubscribedAnswerDeadLettersTheSmsAndRevokesConsent() {
        kit.twilio().failAll(TwilioError.UNSUBSCRIBED);
        long id = enqueueSms("+33612345678");

        OutboundMessage failed = kit.awaitStatus(outbox, ORG, id, MessageStatus.FAILED);

        assertThat(failed.lastError().code()).isEqualTo("21610");
        assertThat(outbox.consents().status(ORG, PhoneNumber.of("+33612345678"), Channel.SMS))
                .isEqualTo(ConsentStatus.REVOKED);
        kit.twilio().assertSendsTo("+33612345678", 1);
    }

    @Test
    void anUndeliveredCallbackWithATemporaryCarrierErrorSendsAgain() {
        long id = enqueueSms("+33612345678");
        String first = kit.twilio().awaitSendsTo("+33612345678", 1).get(0).sid();
        kit.awaitStatus(outbox, ORG, id, MessageStatus.SENT);

        assertThat(callbacks.handle(kit.twilio().undelivered(first, 30003).request()).status()).isEqualTo(200);

        String second = kit.twilio().awaitSendsTo("+33612345678", 2).get(1).sid();
        kit.await("the second send recorded", () -> second.equals(outbox.find(ORG, id).orElseThrow().providerMessageId()));
        assertThat(outbox.find(ORG, id).orElseThrow().attemptCount()).isEqualTo(2);
    }
}
