package io.whatsappoutbox.sms;

import static io.whatsappoutbox.sms.TwilioFixtures.ACCOUNT_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.FROM;
import static io.whatsappoutbox.sms.TwilioFixtures.MESSAGING_SERVICE_SID;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN;
import static io.whatsappoutbox.sms.TwilioFixtures.TOKEN_VALUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.WebhookResult;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad settings fail at build time, naming the field, without echoing secrets or numbers. */
class TwilioSettingsValidationTest {

    static TwilioSmsProvider.Builder valid() {
        return TwilioSmsProvider.builder().accountSid(ACCOUNT_SID).authToken(TOKEN).from(FROM);
    }

    static InvalidInputException invalid(TwilioSmsProvider.Builder builder) {
        return catchThrowableOfType(InvalidInputException.class, builder::build);
    }

    @Test
    void valid_settings_build_with_the_documented_defaults() {
        try (TwilioSmsProvider p = valid().build()) {
            assertThat(p.toString()).contains("https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT_SID
                    + "/Messages.json");
        }
        try (TwilioSmsProvider p = valid().from(PhoneNumber.of(FROM)).build()) {
            assertThat(p.name()).isEqualTo("twilio");
        }
        try (TwilioSmsProvider p = valid().from((String) null).messagingServiceSid(MESSAGING_SERVICE_SID).build()) {
            assertThat(p.toString()).contains(MESSAGING_SERVICE_SID);
        }
    }

    @Test
    void every_missing_setting_is_named_at_once() {
        InvalidInputException e = invalid(TwilioSmsProvider.builder());
        assertThat(e.violations()).extracting(InvalidInputException.Violation::field)
                .containsExactlyInAnyOrder("accountSid", "authToken", "from");
    }

    @ParameterizedTest
    @ValueSource(strings = {"AC123", "ac0123456789abcdef0123456789abcdef", "AC0123456789abcdef0123456789abcdeg",
            "MG0123456789abcdef0123456789abcdef", "AC0123456789abcdef0123456789abcdef0", " "})
    void an_account_sid_is_ac_and_32_hex_digits(String sid) {
        assertThat(invalid(valid().accountSid(sid)).concerns("accountSid")).isTrue();
    }

    @Test
    void from_and_messaging_service_are_exclusive() {
        InvalidInputException e = invalid(valid().messagingServiceSid(MESSAGING_SERVICE_SID));
        assertThat(e.concerns("from")).isTrue();
        assertThat(e.getMessage()).contains("exactly one of from or messagingServiceSid").doesNotContain(FROM);
    }

    @Test
    void a_messaging_service_sid_is_mg_and_32_hex_digits() {
        assertThat(invalid(valid().from((String) null).messagingServiceSid("MG12")).concerns("messagingServiceSid"))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"15017122661", "+0123456789", "+1 501 712 2661", "MyCompany", "+33612345678901234"})
    void from_is_an_e164_number_and_is_masked_in_the_error(String from) {
        InvalidInputException e = invalid(valid().from(from));
        assertThat(e.concerns("from")).isTrue();
        if (from.length() > 8) {
            assertThat(e.getMessage()).doesNotContain(from);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/relative/status", "ftp://hooks.example.com/status", "mailto:ops@example.com",
            "https:///no-host"})
    void a_status_callback_is_an_absolute_http_url(String url) {
        assertThat(invalid(valid().statusCallbackUrl(URI.create(url))).concerns("statusCallbackUrl")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api.twilio.com", "ftp://api.twilio.com", "https://", "not a url"})
    void the_base_url_is_an_absolute_http_url(String url) {
        assertThat(invalid(valid().baseUrl(url)).concerns("baseUrl")).isTrue();
    }

    @Test
    void timeouts_are_positive_whole_milliseconds() {
        InvalidInputException e = invalid(valid().connectTimeout(Duration.ZERO).readTimeout(Duration.ofSeconds(-1))
                .callTimeout(Duration.ofNanos(10)));
        assertThat(e.violations()).extracting(InvalidInputException.Violation::field)
                .containsExactlyInAnyOrder("connectTimeout", "readTimeout", "callTimeout");
        assertThat(invalid(valid().callTimeout(null)).concerns("callTimeout")).isTrue();
    }

    @Test
    void catalogue_and_clock_are_required() {
        InvalidInputException e = invalid(valid().errorCatalogue(null).clock(null));
        assertThat(e.concerns("errorCatalogue")).isTrue();
        assertThat(e.concerns("clock")).isTrue();
    }

    @Test
    void no_failure_message_carries_the_token() {
        InvalidInputException e = invalid(valid().accountSid("bad").authToken(Secret.of(TOKEN_VALUE)));
        assertThat(e.getMessage()).doesNotContain(TOKEN_VALUE);
    }

    // Status callback handler

    static TwilioStatusCallbackHandler.Builder handler() {
        return TwilioStatusCallbackHandler.builder().authToken(TOKEN).sink(batch -> WebhookResult.EMPTY);
    }

    @Test
    void a_handler_needs_a_token_or_secrets_and_a_sink() {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                TwilioStatusCallbackHandler.builder()::build);
        assertThat(e.violations()).extracting(InvalidInputException.Violation::field)
                .containsExactlyInAnyOrder("authToken", "sink");
    }

    @Test
    void a_handler_takes_a_token_or_secrets_not_both() {
        assertThatThrownBy(() -> handler().secrets(WebhookSecrets.shared(TOKEN)).build())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("authToken");
        assertThat(TwilioStatusCallbackHandler.builder().secrets(WebhookSecrets.shared(TOKEN))
                .sink(batch -> WebhookResult.EMPTY).build()).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/twilio/status", "hooks.example.com/status", "ftp://hooks.example.com/s", "http://"})
    void a_public_url_is_an_absolute_http_url(String url) {
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> handler().publicUrl(url).build())
                .concerns("publicUrl")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 16 * 1024 * 1024 + 1})
    void the_body_limit_is_between_one_byte_and_16_mib(int limit) {
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> handler().maxBodyBytes(limit).build())
                .concerns("maxBodyBytes")).isTrue();
    }

    @Test
    void a_handler_needs_a_clock() {
        assertThat(catchThrowableOfType(InvalidInputException.class, () -> handler().clock(null).build())
                .concerns("clock")).isTrue();
    }
}
