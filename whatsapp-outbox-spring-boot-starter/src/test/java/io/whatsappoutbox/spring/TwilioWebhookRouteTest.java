package io.whatsappoutbox.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import io.whatsappoutbox.sms.internal.FormParam;
import io.whatsappoutbox.sms.internal.TwilioSignature;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/** The opt-in Twilio status callback route: a signed form moves the SMS to DELIVERED, a forged one is refused. */
class TwilioWebhookRouteTest {
    static final String SID = "AC00000000000000000000000000000001";
    static final String TOKEN = "twilio-auth-token-0123456789";
    static final String PUBLIC_URL = "https://crm.example.com/webhooks/sms/status";
    static HikariDataSource ds;
    WireMockServer twilio;

    @BeforeEach
    void start() {
        ds = TestDatabase.newEmptyDatabase(10);
        twilio = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        twilio.start();
        twilio.stubFor(post(urlPathEqualTo("/2010-04-01/Accounts/" + SID + "/Messages.json")).willReturn(aResponse()
                .withStatus(201).withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM0123456789abcdef0123456789abcdef\",\"status\":\"queued\",\"to\":\"+33612345678\"}")));
    }

    @AfterEach
    void stop() {
        twilio.stop();
        ds.close();
    }

    @Configuration(proxyBeanMethods = false)
    static class Host {
        @Bean
        DataSource dataSource() {
            return ds;
        }
    }

    static String form(List<FormParam> params) {
        return params.stream().map(p -> URLEncoder.encode(p.name(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(p.value(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    @Test
    void aSignedStatusCallbackMarksTheSmsDeliveredAndAForgedOneIsRefused() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(HttpMessageConvertersAutoConfiguration.class,
                        WebMvcAutoConfiguration.class, WhatsAppOutboxAutoConfiguration.class,
                        WhatsAppOutboxWebhookAutoConfiguration.class))
                .withUserConfiguration(Host.class)
                .withPropertyValues("whatsapp.outbox.encryption-key.id=k1",
                        "whatsapp.outbox.encryption-key.base64=" + EncryptionKeys.generateBase64Key(),
                        "whatsapp.outbox.meta.enabled=false", "whatsapp.outbox.sms.enabled=true",
                        "whatsapp.outbox.sms.base-url=" + twilio.baseUrl(), "whatsapp.outbox.sms.account-sid=" + SID,
                        "whatsapp.outbox.sms.auth-token=" + TOKEN, "whatsapp.outbox.sms.from=+15005550006",
                        "whatsapp.outbox.webhooks.twilio.enabled=true", "whatsapp.outbox.webhooks.twilio.public-url=" + PUBLIC_URL,
                        "whatsapp.outbox.dispatcher.poll-interval=50ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    JdbcOutbox outbox = context.getBean(JdbcOutbox.class);
                    outbox.consents().grant("org-1", PhoneNumber.of("+33612345678"), Channel.SMS, "form", "web");
                    long id = outbox.enqueue(OutboundMessageRequest.sms("org-1", "+33612345678")
                            .text("Rappel : visite lundi 10h").idempotencyKey("sms-1").build()).message().id();
                    Eventually.await("sent", Duration.ofSeconds(20), () -> outbox.find("org-1", id)
                            .map(m -> m.status() == MessageStatus.SENT).orElse(false));
                    String smsSid = outbox.find("org-1", id).map(OutboundMessage::providerMessageId).orElseThrow();

                    List<FormParam> params = List.of(new FormParam("MessageSid", smsSid), new FormParam("SmsSid", smsSid),
                            new FormParam("MessageStatus", "delivered"), new FormParam("SmsStatus", "delivered"),
                            new FormParam("AccountSid", SID), new FormParam("To", "+33612345678"),
                            new FormParam("From", "+15005550006"), new FormParam("ApiVersion", "2010-04-01"));
                    String signature = TwilioSignature.compute(Secret.of(TOKEN), PUBLIC_URL, params);
                    MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context).build();

                    String forged = form(params).replace("delivered", "undelivered");
                    mvc.perform(MockMvcRequestBuilders.post("/webhooks/sms/status")
                            .contentType(MediaType.APPLICATION_FORM_URLENCODED).header("X-Twilio-Signature", signature)
                            .content(forged)).andExpect(status().is4xxClientError());
                    mvc.perform(MockMvcRequestBuilders.post("/webhooks/sms/status")
                            .contentType(MediaType.APPLICATION_FORM_URLENCODED).header("X-Twilio-Signature", signature)
                            .content(form(params))).andExpect(status().isOk());
                    Eventually.await("delivered", Duration.ofSeconds(20), () -> outbox.find("org-1", id)
                            .map(m -> m.status() == MessageStatus.DELIVERED).orElse(false));
                });
    }
}
