package io.whatsappoutbox.sms;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.whatsappoutbox.sms.TwilioFixtures.ACCOUNT_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.FROM;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGES_PATH;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGE_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGING_SERVICE_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.NOW;
import static io.whatsappoutbox.sms.TwilioFixtures.TO;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN_VALUE;
import static io.whatsappoutbox.sms.TwilioFixtures.created;
import static io.whatsappoutbox.sms.TwilioFixtures.sms;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.spi.SendResult;
import io.whatsappoutbox.core.testing.Eventually;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the provider sends to Twilio, and how it reads an accepted message. */
class TwilioSmsProviderTest {

    @RegisterExtension
    static WireMockExtension twilio = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private TwilioSmsProvider.Builder provider() {
        return TwilioSmsProvider.builder().baseUrl(twilio.baseUrl()).accountSid(ACCOUNT_SID).authToken(TOKEN);
    }

    private void created201(String status) {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(created(status))));
    }

    private LoggedRequest onlyRequest() {
        List<LoggedRequest> requests = twilio.findAll(postRequestedFor(urlPathEqualTo(MESSAGES_PATH)));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    @Test
    void posts_to_the_account_messages_resource_with_basic_auth_and_exact_form_fields() {
        created201("queued");
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            p.send(sms("Your appointment is tomorrow at 10:00"));
        }
        LoggedRequest request = onlyRequest();
        assertThat(request.getUrl()).isEqualTo(MESSAGES_PATH);
        String expectedAuth = "Basic " + Base64.getEncoder()
                .encodeToString((ACCOUNT_SID + ":" + TOKEN_VALUE).getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeader("Authorization")).isEqualTo(expectedAuth);
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(TwilioForms.decode(request.getBodyAsString())).containsExactly(
                Map.entry("To", TO), Map.entry("From", FROM),
                Map.entry("Body", "Your appointment is tomorrow at 10:00"));
    }

    @Test
    void a_messaging_service_replaces_from() {
        created201("accepted");
        try (TwilioSmsProvider p = provider().messagingServiceSid(MESSAGING_SERVICE_SID).build()) {
            assertThat(p.send(sms("Hello"))).isEqualTo(new SendResult.Accepted(MESSAGE_SID, "accepted"));
        }
        assertThat(TwilioForms.decode(onlyRequest().getBodyAsString())).containsExactly(
                Map.entry("To", TO), Map.entry("MessagingServiceSid", MESSAGING_SERVICE_SID),
                Map.entry("Body", "Hello"));
    }

    @Test
    void the_status_callback_url_is_sent_when_configured() {
        created201("queued");
        URI callback = URI.create("https://hooks.example.com/twilio/status?tenant=a&x=1");
        try (TwilioSmsProvider p = provider().from(FROM).statusCallbackUrl(callback).build()) {
            p.send(sms("Hello"));
        }
        assertThat(TwilioForms.decode(onlyRequest().getBodyAsString()))
                .containsEntry("StatusCallback", callback.toString())
                .containsOnlyKeys("To", "From", "Body", "StatusCallback");
    }

    @Test
    void unicode_and_reserved_characters_in_the_body_arrive_intact() {
        created201("queued");
        String text = "Rendez-vous à 10h & café ☕ 😀 100% + tax = ok";
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            p.send(sms(text));
        }
        twilio.verify(postRequestedFor(urlPathEqualTo(MESSAGES_PATH)).withFormParam("Body", equalTo(text)));
        assertThat(TwilioForms.decode(onlyRequest().getBodyAsString())).containsEntry("Body", text);
    }

    @Test
    void a_created_message_is_accepted_with_its_sid_and_status_ignoring_unknown_fields() {
        created201("queued");
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            assertThat(p.send(sms("Hello"))).isEqualTo(new SendResult.Accepted(MESSAGE_SID, "queued"));
        }
    }

    @Test
    void a_minimal_2xx_body_with_a_sid_is_enough() {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH))
                .willReturn(aResponse().withStatus(200).withBody("{\"sid\":\"" + MESSAGE_SID + "\"}")));
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            assertThat(p.send(sms("Hello"))).isEqualTo(new SendResult.Accepted(MESSAGE_SID, null));
        }
    }

    @Test
    void a_base_url_with_a_path_prefix_keeps_it() {
        twilio.stubFor(post(urlPathEqualTo("/proxy/twilio" + MESSAGES_PATH))
                .willReturn(aResponse().withStatus(201).withBody(created("queued"))));
        try (TwilioSmsProvider p = provider().baseUrl(twilio.baseUrl() + "/proxy/twilio/").from(FROM).build()) {
            assertThat(p.send(sms("Hello"))).isInstanceOf(SendResult.Accepted.class);
        }
    }

    @Test
    void content_other_than_text_is_rejected_as_a_bad_request_without_calling_twilio() {
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            SendResult result = p.send(TestMessages.whatsappTemplate(NOW));
            assertThat(result).isInstanceOf(SendResult.Rejected.class);
            var error = ((SendResult.Rejected) result).error();
            assertThat(error.code()).isEqualTo("21602");
            assertThat(error.message()).contains("TEMPLATE");
            assertThat(p.errorCatalogue().classify(error).category()).isEqualTo(ErrorCategory.BAD_REQUEST);
        }
        assertThat(twilio.getAllServeEvents()).isEmpty();
    }

    @Test
    void is_named_twilio_and_classifies_with_the_twilio_catalogue_unless_overridden() {
        ErrorCatalogue custom = ErrorCatalogue.twilio().toBuilder()
                .put("30003", ErrorCategory.UNDELIVERABLE, "treated as undeliverable here").build();
        try (TwilioSmsProvider standard = provider().from(FROM).build();
                TwilioSmsProvider overridden = provider().from(FROM).errorCatalogue(custom).build()) {
            assertThat(standard.name()).isEqualTo("twilio");
            assertThat(standard.errorCatalogue().name()).isEqualTo("twilio");
            assertThat(standard.errorCatalogue().lookup("21610")).isPresent();
            assertThat(overridden.errorCatalogue()).isSameAs(custom);
        }
    }

    @Test
    void closing_the_provider_leaves_a_shared_client_running() {
        OkHttpClient shared = new OkHttpClient();
        try {
            provider().from(FROM).httpClient(shared).build().close();
            assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void a_shared_client_is_used_for_the_call() {
        created201("queued");
        OkHttpClient shared = new OkHttpClient.Builder().addInterceptor(chain -> chain.proceed(
                chain.request().newBuilder().header("X-Host-Interceptor", "yes").build())).build();
        try (TwilioSmsProvider p = provider().from(FROM).httpClient(shared).build()) {
            assertThat(p.send(sms("Hello"))).isInstanceOf(SendResult.Accepted.class);
        } finally {
            shared.dispatcher().executorService().shutdown();
        }
        assertThat(onlyRequest().getHeader("X-Host-Interceptor")).isEqualTo("yes");
    }

    @Test
    void to_string_shows_neither_the_token_nor_the_full_sender() {
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            assertThat(p.toString()).doesNotContain(TOKEN_VALUE).doesNotContain(FROM).contains(ACCOUNT_SID);
        }
    }

    @Test
    void an_accepted_send_logs_ids_and_the_masked_recipient_only() {
        created201("queued");
        try (LogCapture logs = new LogCapture(); TwilioSmsProvider p = provider().from(FROM).build()) {
            p.send(sms("secret medical text"));
            assertThat(logs.all()).contains("42").contains("org-7").contains("+336****5678")
                    .doesNotContain(TO).doesNotContain(TOKEN_VALUE).doesNotContain("secret medical text");
        }
    }

    @Test
    void concurrent_sends_share_one_provider() throws Exception {
        created201("queued");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (TwilioSmsProvider p = provider().from(FROM).build()) {
            List<Future<SendResult>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> p.send(sms("Hello"))));
            }
            for (Future<SendResult> r : results) {
                assertThat(r.get()).isEqualTo(new SendResult.Accepted(MESSAGE_SID, "queued"));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(twilio.findAll(postRequestedFor(urlPathEqualTo(MESSAGES_PATH)))).hasSize(32);
    }

    @Test
    void a_stage_cancelled_while_its_call_is_queued_never_sends_it() throws Exception {
        twilio.stubFor(post(urlPathEqualTo(MESSAGES_PATH)).willReturn(aResponse().withStatus(201).withFixedDelay(1_000)
                .withHeader("Content-Type", "application/json").withBody(created("queued"))));
        try (TwilioSmsProvider p = provider().from(FROM).maxRequests(1).maxRequestsPerHost(1).build()) {
            CompletableFuture<SendResult> first = p.sendAsync(sms("one")).toCompletableFuture();
            CompletableFuture<SendResult> second = p.sendAsync(sms("two")).toCompletableFuture();
            assertThat(p.httpClient().dispatcher().queuedCallsCount()).isEqualTo(1);

            // the dispatcher gives a stage up this way once its call timeout has passed
            second.cancel(false);

            assertThat(first.get(60, TimeUnit.SECONDS)).isInstanceOf(SendResult.Accepted.class);
            Eventually.await("the cancelled call out of OkHttp's queue", Duration.ofSeconds(10),
                    () -> p.httpClient().dispatcher().runningCallsCount()
                            + p.httpClient().dispatcher().queuedCallsCount() == 0);
            onlyRequest();
        }
    }

    @Test
    void the_dispatcher_is_told_how_many_calls_the_client_carries_at_once() {
        try (TwilioSmsProvider p = provider().from(FROM).maxRequests(10).maxRequestsPerHost(3).build()) {
            assertThat(p.maxConcurrentCalls()).isEqualTo(3);
        }
    }
}
