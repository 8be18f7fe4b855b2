package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.testing.MutableClock;
import static io.whatsappoutbox.sms.TwilioForms.encode;
import static io.whatsappoutbox.sms.TwilioForms.p;
import static io.whatsappoutbox.sms.TwilioForms.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCatalogue;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.WebhookBatch;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookResult;
import io.whatsappoutbox.core.webhook.WebhookSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a status callback becomes: a receipt for the sink, or an HTTP refusal. */
class TwilioStatusCallbackHandlerTest {
    static final String TOKEN = "9c2d7e4b1a0f8e6d5c4b3a2918070605";
    static final String URL = "https://hooks.example.com/twilio/status?tenant=acme";
    static final String SID = "SM1f2e3d4c5b6a79881f2e3d4c5b6a7988";
    static final String CUSTOMER = "+33612345678";
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    final List<WebhookBatch> batches = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(NOW);
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** Stores every batch it is given: what the handler hands over is its whole contract. */
    WebhookSink recordingSink() {
        return batch -> {
            batches.add(batch);
            return new WebhookResult(batch.receipts().size(), 0, 0, 0);
        };
    }

    TwilioStatusCallbackHandler handler() {
        return TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN)).publicUrl(URL)
                .sink(recordingSink()).meterRegistry(meters).clock(clock).build();
    }

    /** A status callback as Twilio posts it for an outbound SMS. */
    static List<Map.Entry<String, String>> callback(String status, String... extra) {
        List<Map.Entry<String, String>> params = new ArrayList<>(List.of(
                p("ApiVersion", "2010-04-01"), p("AccountSid", "AC0123456789abcdef0123456789abcdef"),
                p("SmsSid", SID), p("SmsStatus", status), p("MessageStatus", status), p("MessageSid", SID),
                p("From", "+15017122661"), p("To", CUSTOMER)));
        for (int i = 0; i < extra.length; i += 2) {
            params.add(p(extra[i], extra[i + 1]));
        }
        return params;
    }

    static WebhookRequest signed(List<Map.Entry<String, String>> params) {
        return request("POST", encode(params), sign(TOKEN, URL, params));
    }

    static WebhookRequest request(String method, byte[] body, String signature) {
        Map<String, List<String>> headers = signature == null
                ? Map.of("Content-Type", List.of("application/x-www-form-urlencoded"))
                : Map.of("Content-Type", List.of("application/x-www-form-urlencoded"),
                        "x-twilio-signature", List.of(signature));
        return new WebhookRequest(method, "http://10.0.0.12:8080/twilio/status?tenant=acme", Map.of(), headers, body);
    }

    double signatureFailures() {
        var counter = meters.find(TwilioStatusCallbackHandler.SIGNATURE_FAILURES_METRIC).counter();
        return counter == null ? 0 : counter.count();
    }

    DeliveryReceipt onlyReceipt() {
        assertThat(batches).hasSize(1);
        WebhookBatch batch = batches.get(0);
        assertThat(batch.source()).isEqualTo("twilio");
        assertThat(batch.inbound()).isEmpty();
        assertThat(batch.receipts()).hasSize(1);
        return batch.receipts().get(0);
    }

    @Test
    void delivered_becomes_one_delivered_receipt_at_the_clock_time() {
        WebhookResponse response = handler().handle(signed(callback("delivered")));
        assertThat(response.status()).isEqualTo(200);
        assertThat(onlyReceipt()).isEqualTo(new DeliveryReceipt(Channel.SMS, SID, DeliveryStatus.DELIVERED, NOW, null));
    }

    @Test
    void sent_becomes_a_sent_receipt() {
        assertThat(handler().handle(signed(callback("sent"))).status()).isEqualTo(200);
        assertThat(onlyReceipt().status()).isEqualTo(DeliveryStatus.SENT);
    }

    @Test
    void failed_carries_twilio_error_code() {
        assertThat(handler().handle(signed(callback("failed", "ErrorCode", "30008"))).status()).isEqualTo(200);
        DeliveryReceipt receipt = onlyReceipt();
        assertThat(receipt.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(receipt.error()).isEqualTo(new ProviderError("30008", 0, "Twilio delivery error 30008", null, null,
                null));
    }

    @Test
    void undelivered_is_a_failure_classified_by_its_error_code() {
        handler().handle(signed(callback("undelivered", "ErrorCode", "30006")));
        DeliveryReceipt receipt = onlyReceipt();
        assertThat(receipt.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(receipt.error().code()).isEqualTo("30006");
        assertThat(ErrorCatalogue.twilio().classify(receipt.error()).category())
                .isEqualTo(ErrorCategory.INVALID_RECIPIENT);
    }

    @Test
    void a_failure_without_error_code_is_recorded_as_twilio_unknown_error() {
        handler().handle(signed(callback("undelivered")));
        ProviderError error = onlyReceipt().error();
        assertThat(error.code()).isEqualTo(TwilioStatusCallbackHandler.MISSING_ERROR_CODE).isEqualTo("30008");
        assertThat(error.message()).contains("no ErrorCode");
        assertThat(ErrorCatalogue.twilio().classify(error).category()).isEqualTo(ErrorCategory.TEMPORARY);
    }

    @Test
    void an_error_code_on_a_delivered_status_is_not_an_error() {
        handler().handle(signed(callback("delivered", "ErrorCode", "30008")));
        assertThat(onlyReceipt().error()).isNull();
    }

    @Test
    void the_older_sms_status_field_is_read_when_message_status_is_absent() {
        List<Map.Entry<String, String>> params = List.of(p("SmsSid", SID), p("MessageSid", SID),
                p("SmsStatus", "delivered"));
        assertThat(handler().handle(signed(params)).status()).isEqualTo(200);
        assertThat(onlyReceipt().status()).isEqualTo(DeliveryStatus.DELIVERED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"queued", "sending", "accepted", "scheduled", "canceled", "receiving", "received"})
    void statuses_that_are_not_an_outcome_are_acknowledged_and_dropped(String status) {
        WebhookResponse response = handler().handle(signed(callback(status)));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("ignored");
        assertThat(batches).isEmpty();
    }

    @Test
    void a_callback_without_any_status_is_acknowledged_and_dropped() {
        List<Map.Entry<String, String>> params = List.of(p("MessageSid", SID));
        assertThat(handler().handle(signed(params)).status()).isEqualTo(200);
        assertThat(batches).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void a_missing_or_blank_message_sid_is_a_bad_request(String sid) {
        List<Map.Entry<String, String>> params = new ArrayList<>(List.of(p("MessageStatus", "delivered")));
        if (!sid.isEmpty()) {
            params.add(p("MessageSid", sid));
        }
        assertThat(handler().handle(signed(params)).status()).isEqualTo(400);
        assertThat(batches).isEmpty();
    }

    /** PostgreSQL text cannot hold U+0000: storing it would fail with a 500 at every retry of Twilio's. */
    @ParameterizedTest
    @ValueSource(strings = {"MessageSid", "ErrorCode"})
    void a_control_character_in_a_stored_value_is_a_bad_request(String field) {
        List<Map.Entry<String, String>> params = new ArrayList<>(List.of(p("MessageStatus", "failed")));
        params.add(p("MessageSid", field.equals("MessageSid") ? "SM\u0000" + SID.substring(3) : SID));
        params.add(p("ErrorCode", field.equals("ErrorCode") ? "300\n03" : "30003"));
        WebhookResponse r = handler().handle(signed(params));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("printable");
        assertThat(batches).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "HEAD"})
    void anything_but_post_is_refused_405(String method) {
        assertThat(handler().handle(request(method, encode(callback("delivered")), "whatever")).status())
                .isEqualTo(405);
        assertThat(batches).isEmpty();
    }

    @Test
    void a_body_over_the_limit_is_refused_413_before_its_signature_is_checked() {
        TwilioStatusCallbackHandler small = TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN))
                .publicUrl(URL).sink(recordingSink()).maxBodyBytes(100).meterRegistry(meters).build();
        List<Map.Entry<String, String>> params = callback("delivered", "Padding", "x".repeat(200));
        assertThat(small.handle(signed(params)).status()).isEqualTo(413);
        assertThat(small.handle(request("POST", encode(params), "bad")).status()).isEqualTo(413);
        assertThat(batches).isEmpty();
        assertThat(signatureFailures()).isZero();
    }

    @Test
    void the_default_limit_is_64_kib() {
        List<Map.Entry<String, String>> params = callback("delivered");
        byte[] body = encode(params);
        byte[] padded = (new String(body, StandardCharsets.US_ASCII) + "&P=" + "x".repeat(64 * 1024 - body.length - 3))
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(padded).hasSize(64 * 1024);
        List<Map.Entry<String, String>> all = new ArrayList<>(params);
        all.add(p("P", "x".repeat(64 * 1024 - body.length - 3)));
        assertThat(handler().handle(request("POST", padded, sign(TOKEN, URL, all))).status()).isEqualTo(200);
        byte[] over = (new String(padded, StandardCharsets.US_ASCII) + "x").getBytes(StandardCharsets.US_ASCII);
        assertThat(handler().handle(request("POST", over, "any")).status()).isEqualTo(413);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MessageSid=SM1&MessageStatus=%ZZ", "MessageSid=SM1%", "MessageSid=SM1%4",
            "MessageSid=%C3%28", "MessageSid=%FF"})
    void a_body_that_is_not_a_utf8_form_is_a_bad_request_even_before_the_signature(String body) {
        WebhookResponse response = handler().handle(request("POST", body.getBytes(StandardCharsets.US_ASCII), null));
        assertThat(response.status()).isEqualTo(400);
        assertThat(signatureFailures()).isZero();
    }

    @Test
    void a_missing_signature_is_refused_401_and_counted() {
        assertThat(handler().handle(request("POST", encode(callback("delivered")), null)).status()).isEqualTo(401);
        assertThat(handler().handle(request("POST", encode(callback("delivered")), "  ")).status()).isEqualTo(401);
        assertThat(batches).isEmpty();
        assertThat(signatureFailures()).isEqualTo(2);
    }

    @Test
    void the_signature_is_checked_before_the_message_sid() {
        List<Map.Entry<String, String>> params = List.of(p("MessageStatus", "delivered"));
        assertThat(handler().handle(request("POST", encode(params), "forged=")).status()).isEqualTo(401);
        assertThat(signatureFailures()).isEqualTo(1);
    }

    @Test
    void a_sink_failure_is_a_500_and_nothing_is_acknowledged() {
        TwilioStatusCallbackHandler failing = TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN))
                .publicUrl(URL).sink(batch -> {
                    throw new IllegalStateException("database down");
                }).build();
        assertThat(failing.handle(signed(callback("delivered"))).status()).isEqualTo(500);
    }

    @Test
    void the_sink_is_called_once_per_callback() {
        TwilioStatusCallbackHandler h = handler();
        h.handle(signed(callback("sent")));
        h.handle(signed(callback("delivered")));
        assertThat(batches).hasSize(2);
        assertThat(batches).extracting(b -> b.receipts().get(0).status())
                .containsExactly(DeliveryStatus.SENT, DeliveryStatus.DELIVERED);
    }

    @Test
    void without_a_meter_registry_refusals_still_work() {
        TwilioStatusCallbackHandler h = TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN))
                .publicUrl(URL).sink(recordingSink()).build();
        assertThat(h.handle(request("POST", encode(callback("delivered")), "bad")).status()).isEqualTo(401);
    }

    @Test
    void logs_carry_neither_the_body_nor_numbers_nor_the_token_nor_the_signature() {
        List<Map.Entry<String, String>> params = callback("failed", "ErrorCode", "30003", "Body", "private words");
        String signature = sign(TOKEN, URL, params);
        try (LogCapture logs = new LogCapture()) {
            TwilioStatusCallbackHandler h = handler();
            h.handle(request("POST", encode(params), signature));
            h.handle(request("POST", encode(params), signature.substring(1) + "A"));
            h.handle(request("POST", "MessageSid=%ZZ".getBytes(StandardCharsets.US_ASCII), signature));
            TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN)).publicUrl(URL).sink(b -> {
                throw new IllegalStateException("sink down");
            }).build().handle(request("POST", encode(params), signature));
            String all = logs.all();
            assertThat(logs.lines()).filteredOn(l -> l.contains("refused")).hasSize(2);
            assertThat(all).doesNotContain(CUSTOMER).doesNotContain("33612345678").doesNotContain("15017122661")
                    .doesNotContain("private words").doesNotContain(TOKEN).doesNotContain(signature)
                    .doesNotContain(signature.substring(1));
        }
    }

    @Test
    void a_store_failure_quoting_a_number_is_logged_masked_and_without_its_stack() {
        // what a store's exception can hold: the recipient in a constraint's detail, in its cause too
        RuntimeException quoting = new IllegalStateException("apply failed: Key (to_recipient)=(" + CUSTOMER + ")",
                new IllegalArgumentException("bound " + CUSTOMER));
        WebhookSecretsThatFail secrets = new WebhookSecretsThatFail(quoting);
        try (LogCapture logs = new LogCapture()) {
            TwilioStatusCallbackHandler.builder().authToken(Secret.of(TOKEN)).publicUrl(URL).sink(b -> {
                throw quoting;
            }).build().handle(signed(callback("delivered")));
            TwilioStatusCallbackHandler.builder().secrets(secrets).publicUrl(URL).sink(recordingSink()).build()
                    .handle(signed(callback("delivered")));
            assertThat(logs.lines()).hasSize(2);
            assertThat(logs.all()).doesNotContain(CUSTOMER).doesNotContain("33612345678").contains("+336****5678")
                    .doesNotContain("IllegalArgumentException");
        }
    }

    /** Secrets whose store fails with a given exception. */
    record WebhookSecretsThatFail(RuntimeException failure) implements io.whatsappoutbox.core.spi.WebhookSecrets {
        @Override
        public List<Candidate> candidates(Instant now) {
            throw failure;
        }
    }
}
