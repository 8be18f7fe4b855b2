package io.whatsappoutbox.sms;

import static io.whatsappoutbox.sms.TwilioForms.encode;
import static io.whatsappoutbox.sms.TwilioForms.p;
import static io.whatsappoutbox.sms.TwilioForms.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.webhook.WebhookProcessor;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Twilio's inbound-message webhook, signed as Twilio signs it, to the real store. */
class TwilioInboundMessageHandlerTest {
    static final String URL = "https://outbox.example.com/webhooks/sms/inbound";
    static final String ORG_NUMBER = "+15017122661";
    static final PhoneNumber CUSTOMER = PhoneNumber.of("+33612345678");
    HikariDataSource ds;
    JdbcOutbox outbox;
    TwilioInboundMessageHandler handler;
    int sequence;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds).build();
        handler = TwilioInboundMessageHandler.builder().authToken(TwilioFixtures.TOKEN).publicUrl(URL)
                .sink(WebhookProcessor.builder(outbox.webhookStore()).build())
                .orgOf(n -> n.value().equals(ORG_NUMBER) ? Optional.of("org-1") : Optional.empty())
                .build();
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    /** The form Twilio posts for an SMS, in its documented fields. */
    List<Map.Entry<String, String>> form(String to, String body) {
        return List.of(p("ToCountry", "US"), p("SmsMessageSid", "SM" + sequence), p("NumMedia", "0"),
                p("SmsSid", "SM" + sequence), p("SmsStatus", "received"), p("Body", body), p("To", to),
                p("NumSegments", "1"), p("MessageSid", "SM" + (++sequence)), p("AccountSid", TwilioFixtures.ACCOUNT_SID),
                p("From", CUSTOMER.value()), p("ApiVersion", "2010-04-01"));
    }

    WebhookResponse post(List<Map.Entry<String, String>> params, String token) {
        return handler.handle(new WebhookRequest("POST", URL, Map.of(),
                Map.of("X-Twilio-Signature", List.of(sign(token, URL, params))), encode(params)));
    }

    WebhookResponse post(String body) {
        return post(form(ORG_NUMBER, body), TwilioFixtures.TOKEN_VALUE);
    }

    ConsentStatus status(ConsentPurpose purpose) {
        return outbox.consents().status("org-1", CUSTOMER, Channel.SMS, purpose);
    }

    @Test
    void stopRevokesTheSmsConsentAndStartGrantsItBackAnsweredWithEmptyTwiml() {
        outbox.consents().grant("org-1", CUSTOMER, Channel.SMS, "test", "test");
        WebhookResponse r = post("Stop");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/xml");
        assertThat(r.body()).contains("<Response/>");
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.REVOKED);
        assertThat(status(ConsentPurpose.MARKETING)).isEqualTo(ConsentStatus.REVOKED);

        assertThat(post("START").status()).isEqualTo(200);
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void anSmsIsStoredHelpChangesNothingAndNoWhatsAppWindowOpens() {
        outbox.consents().grant("org-1", CUSTOMER, Channel.SMS, "test", "test");
        assertThat(post("HELP").status()).isEqualTo(200);
        Sql sql = new Sql(ds);
        assertThat(sql.count("SELECT count(*) FROM message WHERE org_id = 'org-1' AND channel = 'SMS' AND body = 'HELP'"))
                .isEqualTo(1);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_session_window")).isZero();
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
    }

    @Test
    void aWrongSignatureIsRefusedAndChangesNothing() {
        outbox.consents().grant("org-1", CUSTOMER, Channel.SMS, "test", "test");
        WebhookResponse r = post(form(ORG_NUMBER, "STOP"), "0000000000000000000000000000dead");
        assertThat(r.status()).isEqualTo(401);
        assertThat(status(ConsentPurpose.TRANSACTIONAL)).isEqualTo(ConsentStatus.GRANTED);
        assertThat(new Sql(ds).count("SELECT count(*) FROM message")).isZero();
    }

    @Test
    void aNumberNoOrgOwnsIsAnsweredAndSkipped() {
        WebhookResponse r = post(form("+15550001111", "STOP"), TwilioFixtures.TOKEN_VALUE);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("<Response/>");
        assertThat(new Sql(ds).count("SELECT count(*) FROM message")).isZero();
    }
}
