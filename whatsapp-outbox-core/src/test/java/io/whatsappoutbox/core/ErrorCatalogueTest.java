package io.whatsappoutbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.ErrorClassification.RateLimitScope;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorCatalogueTest {

    /** Meta's published codes (shared/facts/meta-cloud-api.md) and the category each must get. */
    static final Map<String, ErrorCategory> META = new LinkedHashMap<>();
    /** Twilio's codes (shared/facts/twilio-sms.md). */
    static final Map<String, ErrorCategory> TWILIO = new LinkedHashMap<>();

    static {
        META.put("0", ErrorCategory.AUTH_CONFIG);
        META.put("190", ErrorCategory.AUTH_CONFIG);
        META.put("1", ErrorCategory.TEMPORARY);
        META.put("2", ErrorCategory.PROVIDER_UNAVAILABLE);
        META.put("3", ErrorCategory.AUTH_CONFIG);
        META.put("4", ErrorCategory.RATE_LIMITED);
        META.put("10", ErrorCategory.AUTH_CONFIG);
        META.put("33", ErrorCategory.AUTH_CONFIG);
        for (int c = 200; c <= 299; c++) {
            META.put(Integer.toString(c), ErrorCategory.AUTH_CONFIG);
        }
        META.put("100", ErrorCategory.BAD_REQUEST);
        META.put("368", ErrorCategory.ACCOUNT_RESTRICTED);
        META.put("470", ErrorCategory.SESSION_EXPIRED);
        META.put("80007", ErrorCategory.RATE_LIMITED);
        META.put("130429", ErrorCategory.RATE_LIMITED);
        META.put("130472", ErrorCategory.UNDELIVERABLE);
        META.put("130497", ErrorCategory.UNDELIVERABLE);
        META.put("131000", ErrorCategory.TEMPORARY);
        META.put("131005", ErrorCategory.AUTH_CONFIG);
        META.put("131008", ErrorCategory.BAD_REQUEST);
        META.put("131009", ErrorCategory.BAD_REQUEST);
        META.put("131016", ErrorCategory.PROVIDER_UNAVAILABLE);
        META.put("131021", ErrorCategory.INVALID_RECIPIENT);
        META.put("131026", ErrorCategory.UNDELIVERABLE);
        META.put("131030", ErrorCategory.INVALID_RECIPIENT);
        META.put("131037", ErrorCategory.AUTH_CONFIG);
        META.put("131031", ErrorCategory.ACCOUNT_RESTRICTED);
        META.put("131042", ErrorCategory.ACCOUNT_RESTRICTED);
        META.put("131045", ErrorCategory.AUTH_CONFIG);
        META.put("131047", ErrorCategory.SESSION_EXPIRED);
        META.put("131048", ErrorCategory.RATE_LIMITED);
        META.put("131049", ErrorCategory.TEMPORARY);
        META.put("131050", ErrorCategory.OPTED_OUT);
        META.put("131051", ErrorCategory.BAD_REQUEST);
        META.put("131052", ErrorCategory.BAD_REQUEST);
        META.put("131053", ErrorCategory.BAD_REQUEST);
        META.put("131056", ErrorCategory.RATE_LIMITED);
        META.put("131057", ErrorCategory.PROVIDER_UNAVAILABLE);
        META.put("131063", ErrorCategory.TEMPLATE);
        META.put("131064", ErrorCategory.RATE_LIMITED);
        for (String c : new String[] {"132000", "132001", "132005", "132007", "132008", "132012", "132015", "132016",
                "132018", "132068"}) {
            META.put(c, ErrorCategory.TEMPLATE);
        }
        META.put("132069", ErrorCategory.RATE_LIMITED);
        META.put("133000", ErrorCategory.AUTH_CONFIG);
        META.put("133004", ErrorCategory.PROVIDER_UNAVAILABLE);
        for (String c : new String[] {"133005", "133006", "133008", "133009", "133010"}) {
            META.put(c, ErrorCategory.AUTH_CONFIG);
        }
        META.put("135000", ErrorCategory.BAD_REQUEST);

        TWILIO.put("20003", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("20404", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("20429", ErrorCategory.RATE_LIMITED);
        TWILIO.put("21211", ErrorCategory.INVALID_RECIPIENT);
        TWILIO.put("21408", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("21602", ErrorCategory.BAD_REQUEST);
        TWILIO.put("21603", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("21606", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("21608", ErrorCategory.INVALID_RECIPIENT);
        TWILIO.put("21610", ErrorCategory.OPTED_OUT);
        TWILIO.put("21611", ErrorCategory.RATE_LIMITED);
        TWILIO.put("21612", ErrorCategory.UNDELIVERABLE);
        TWILIO.put("21614", ErrorCategory.INVALID_RECIPIENT);
        TWILIO.put("21617", ErrorCategory.BAD_REQUEST);
        TWILIO.put("30001", ErrorCategory.RATE_LIMITED);
        TWILIO.put("30002", ErrorCategory.ACCOUNT_RESTRICTED);
        TWILIO.put("30003", ErrorCategory.TEMPORARY);
        TWILIO.put("30004", ErrorCategory.UNDELIVERABLE);
        TWILIO.put("30005", ErrorCategory.INVALID_RECIPIENT);
        TWILIO.put("30006", ErrorCategory.INVALID_RECIPIENT);
        TWILIO.put("30007", ErrorCategory.BAD_REQUEST);
        TWILIO.put("30008", ErrorCategory.TEMPORARY);
        TWILIO.put("30022", ErrorCategory.RATE_LIMITED);
        TWILIO.put("30032", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("30034", ErrorCategory.AUTH_CONFIG);
        TWILIO.put("30450", ErrorCategory.UNDELIVERABLE);
        TWILIO.put("63038", ErrorCategory.RATE_LIMITED);
        TWILIO.put("14107", ErrorCategory.RATE_LIMITED);
    }

    static Stream<Arguments> metaCodes() {
        return META.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    static Stream<Arguments> twilioCodes() {
        return TWILIO.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "meta {0} -> {1}")
    @MethodSource("metaCodes")
    void classifiesEveryMetaCode(String code, ErrorCategory expected) {
        assertThat(ErrorCatalogue.meta().classify(ProviderError.of(code, 400, "x")).category()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "twilio {0} -> {1}")
    @MethodSource("twilioCodes")
    void classifiesEveryTwilioCode(String code, ErrorCategory expected) {
        assertThat(ErrorCatalogue.twilio().classify(ProviderError.of(code, 400, "x")).category()).isEqualTo(expected);
    }

    @Test
    void catalogueHoldsNoCodeThisTestDoesNotCheck() {
        assertThat(ErrorCatalogue.meta().entries()).extracting(ErrorClassification::code)
                .containsExactlyInAnyOrderElementsOf(META.keySet());
        assertThat(ErrorCatalogue.twilio().entries()).extracting(ErrorClassification::code)
                .containsExactlyInAnyOrderElementsOf(TWILIO.keySet());
    }

    @Test
    void decidesOnTheCodeNotTheHttpStatus() {
        // Meta sends most errors, rate limits included, with HTTP 400
        assertThat(ErrorCatalogue.meta().classify(ProviderError.of("130429", 400, "Rate limit hit")).category())
                .isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(ErrorCatalogue.meta().classify(ProviderError.of("131000", 500, "x")).category())
                .isEqualTo(ErrorCategory.TEMPORARY);
    }

    @Test
    void classifiesUnknownCodesByHttpStatus() {
        ErrorCatalogue meta = ErrorCatalogue.meta();
        assertThat(meta.classify(ProviderError.of("999999", 429, "")).category()).isEqualTo(ErrorCategory.RATE_LIMITED);
        assertThat(meta.classify(ProviderError.of("999999", 503, "")).category()).isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
        assertThat(meta.classify(ProviderError.of("999999", 500, "")).category()).isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(meta.classify(ProviderError.of("999999", 408, "")).category()).isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(meta.classify(ProviderError.of("999999", 401, "")).category()).isEqualTo(ErrorCategory.AUTH_CONFIG);
        assertThat(meta.classify(ProviderError.of("999999", 400, "")).category()).isEqualTo(ErrorCategory.UNKNOWN);
        assertThat(meta.classify(ProviderError.of("999999", 0, "")).category()).isEqualTo(ErrorCategory.UNKNOWN);
        assertThat(ErrorCategory.UNKNOWN.retryable()).isTrue();
    }

    @Test
    void knowsTheOutboxOwnCodesInEveryCatalogue() {
        for (ErrorCatalogue c : new ErrorCatalogue[] {ErrorCatalogue.meta(), ErrorCatalogue.twilio(),
                ErrorCatalogue.builder("empty").build()}) {
            assertThat(c.classify(ProviderError.network(OutboxErrorCodes.TIMEOUT, "")).category())
                    .isEqualTo(ErrorCategory.PROVIDER_UNAVAILABLE);
            assertThat(c.classify(ProviderError.network(OutboxErrorCodes.NO_CONSENT, "")).category())
                    .isEqualTo(ErrorCategory.OPTED_OUT);
        }
    }

    @Test
    void letsTheHostOverrideACode() {
        // the runbook treats 131026 as temporary; a host that agrees can say so
        ErrorCatalogue custom = ErrorCatalogue.meta().toBuilder()
                .put("131026", ErrorCategory.TEMPORARY, "retry undeliverable").build();
        assertThat(custom.classify(ProviderError.of("131026", 400, "")).category()).isEqualTo(ErrorCategory.TEMPORARY);
        assertThat(ErrorCatalogue.meta().classify(ProviderError.of("131026", 400, "")).category())
                .isEqualTo(ErrorCategory.UNDELIVERABLE);
    }

    @Test
    void carriesScopesDelaysAndConsentRevocation() {
        assertThat(ErrorCatalogue.meta().lookup("131056").orElseThrow().scope()).isEqualTo(RateLimitScope.RECIPIENT);
        assertThat(ErrorCatalogue.meta().lookup("130429").orElseThrow().scope()).isEqualTo(RateLimitScope.ORG);
        assertThat(ErrorCatalogue.meta().lookup("131049").orElseThrow().minimumDelay()).isEqualTo(Duration.ofHours(24));
        assertThat(ErrorCatalogue.twilio().lookup("21610").orElseThrow().revokesConsent()).isTrue();
        assertThat(ErrorCatalogue.twilio().lookup("14107").orElseThrow().scope()).isEqualTo(RateLimitScope.RECIPIENT);
    }

    @Test
    void aPausedTemplateDefersForMetasFirstPauseWhileOtherTemplateErrorsDoNot() {
        ErrorClassification paused = ErrorCatalogue.meta().lookup("132015").orElseThrow();
        assertThat(paused.defers()).isTrue();
        assertThat(paused.minimumDelay()).isEqualTo(Duration.ofHours(3));
        assertThat(paused.scope()).isEqualTo(RateLimitScope.NONE);
        assertThat(ErrorCatalogue.meta().lookup("132016").orElseThrow().defers()).isFalse();
        assertThat(ErrorCatalogue.meta().lookup("132018").orElseThrow().defers()).isFalse();
    }

    @Test
    void everyCategoryHasARecommendedAction() {
        for (ErrorCategory c : ErrorCategory.values()) {
            assertThat(c.recommendedAction()).isNotBlank();
        }
        assertThat(ErrorCategory.RATE_LIMITED.spendsAttempt()).isFalse();
    }
}
