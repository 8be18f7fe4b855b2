package io.whatsappoutbox.core;

import static io.whatsappoutbox.core.ErrorCategory.ACCOUNT_RESTRICTED;
import static io.whatsappoutbox.core.ErrorCategory.AUTH_CONFIG;
import static io.whatsappoutbox.core.ErrorCategory.BAD_REQUEST;
import static io.whatsappoutbox.core.ErrorCategory.INVALID_RECIPIENT;
import static io.whatsappoutbox.core.ErrorCategory.OPTED_OUT;
import static io.whatsappoutbox.core.ErrorCategory.PROVIDER_UNAVAILABLE;
import static io.whatsappoutbox.core.ErrorCategory.RATE_LIMITED;
import static io.whatsappoutbox.core.ErrorCategory.SESSION_EXPIRED;
import static io.whatsappoutbox.core.ErrorCategory.TEMPLATE;
import static io.whatsappoutbox.core.ErrorCategory.TEMPORARY;
import static io.whatsappoutbox.core.ErrorCategory.UNDELIVERABLE;
import static io.whatsappoutbox.core.ErrorCategory.UNKNOWN;

import io.whatsappoutbox.core.ErrorClassification.RateLimitScope;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps provider error codes to categories. {@link #meta()} and {@link #twilio()} follow the
 * providers' published meanings (where the runbook's own table departs from them, the docs say
 * why); a host overrides any code with {@link #toBuilder()}. A code the catalogue does not know is
 * classified by its HTTP status, and failing that as {@link ErrorCategory#UNKNOWN}: retried a few
 * times, then left for an operator.
 */
public final class ErrorCatalogue {
    private final String name;
    private final Map<String, ErrorClassification> byCode;

    private ErrorCatalogue(String name, Map<String, ErrorClassification> byCode) {
        this.name = name;
        this.byCode = Map.copyOf(byCode);
    }

    public String name() {
        return name;
    }

    /** The classification of a known code, without any fallback. */
    public Optional<ErrorClassification> lookup(String code) {
        return Optional.ofNullable(byCode.get(code)).or(() -> Optional.ofNullable(OUTBOX.get(code)));
    }

    public Collection<ErrorClassification> entries() {
        return byCode.values();
    }

    /** Classifies an error: by code, else by HTTP status, else UNKNOWN. Never null. */
    public ErrorClassification classify(ProviderError error) {
        Objects.requireNonNull(error, "error");
        return lookup(error.code()).orElseGet(() -> byHttpStatus(error.code(), error.httpStatus()));
    }

    static ErrorClassification byHttpStatus(String code, int status) {
        if (status == 429) {
            return ErrorClassification.of(code, RATE_LIMITED, "HTTP 429 Too Many Requests");
        }
        if (status == 502 || status == 503 || status == 504) {
            return ErrorClassification.of(code, PROVIDER_UNAVAILABLE, "HTTP " + status + ": the provider is unavailable");
        }
        if (status == 408 || status >= 500) {
            return ErrorClassification.of(code, TEMPORARY, "HTTP " + status + " from the provider");
        }
        if (status == 401 || status == 403) {
            return ErrorClassification.of(code, AUTH_CONFIG, "HTTP " + status + ": credentials refused");
        }
        return ErrorClassification.of(code, UNKNOWN,
                status == 0 ? "Unknown error" : "Unknown error with HTTP " + status);
    }

    public Builder toBuilder() {
        return new Builder(name, byCode);
    }

    public static Builder builder(String name) {
        return new Builder(name, Map.of());
    }

    /** Builds a catalogue; {@link #put} replaces an existing code. */
    public static final class Builder {
        private final String name;
        private final Map<String, ErrorClassification> byCode;

        private Builder(String name, Map<String, ErrorClassification> start) {
            this.name = Objects.requireNonNull(name, "name");
            this.byCode = new LinkedHashMap<>(start);
        }

        public Builder put(ErrorClassification classification) {
            byCode.put(classification.code(), classification);
            return this;
        }

        public Builder put(String code, ErrorCategory category, String description) {
            return put(ErrorClassification.of(code, category, description));
        }

        public ErrorCatalogue build() {
            return new ErrorCatalogue(name, byCode);
        }
    }

    /** The outbox's own codes, known to every catalogue. */
    private static final Map<String, ErrorClassification> OUTBOX = outboxCodes();

    private static Map<String, ErrorClassification> outboxCodes() {
        Builder b = builder("outbox");
        b.put(OutboxErrorCodes.NO_CONSENT, OPTED_OUT, "No granted consent for this channel");
        b.put(OutboxErrorCodes.SESSION_WINDOW_CLOSED, SESSION_EXPIRED,
                "Free-form message outside the 24-hour customer service window");
        b.put(OutboxErrorCodes.QUOTA_EXHAUSTED, RATE_LIMITED, "Daily quota of the org used up");
        b.put(OutboxErrorCodes.ORG_THROTTLED, RATE_LIMITED, "Org throttled after a provider rate limit");
        b.put(ErrorClassification.of(OutboxErrorCodes.DEFERRAL_LIMIT, RATE_LIMITED,
                "Rescheduled too many times without an attempt").withScope(RateLimitScope.NONE));
        b.put(OutboxErrorCodes.NETWORK_ERROR, PROVIDER_UNAVAILABLE, "Network failure before the provider answered");
        b.put(OutboxErrorCodes.TIMEOUT, PROVIDER_UNAVAILABLE, "The provider did not answer in time");
        b.put(OutboxErrorCodes.UNREADABLE_RESPONSE, TEMPORARY, "The provider's answer could not be read");
        b.put(OutboxErrorCodes.PROVIDER_EXCEPTION, UNKNOWN, "The provider code threw an exception");
        b.put(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED, AUTH_CONFIG, "No provider configured for this org and channel");
        b.put(OutboxErrorCodes.LEASE_EXPIRED, TEMPORARY, "Leases expired with the attempts used up; the provider may have the message");
        b.put(OutboxErrorCodes.PROVIDER_UNAVAILABLE, PROVIDER_UNAVAILABLE, "Every provider of the channel is unavailable");
        return b.build().byCode;
    }

    /** How long a message of a paused template waits before it is sent again: Meta's first pause. */
    public static final Duration TEMPLATE_PAUSE = Duration.ofHours(3);

    /** Meta WhatsApp Cloud API codes. */
    public static ErrorCatalogue meta() {
        Builder b = builder("meta");
        b.put("0", AUTH_CONFIG, "Access token expired or invalid (AuthException)");
        b.put("190", AUTH_CONFIG, "Access token expired");
        b.put("1", TEMPORARY, "Unknown API error");
        b.put("2", PROVIDER_UNAVAILABLE, "API service temporarily down or overloaded");
        b.put("3", AUTH_CONFIG, "API method capability or permission missing");
        b.put("4", RATE_LIMITED, "Application request limit reached");
        b.put("10", AUTH_CONFIG, "Permission not granted or removed");
        b.put("33", AUTH_CONFIG, "The business phone number has been deleted");
        for (int code = 200; code <= 299; code++) {
            b.put(Integer.toString(code), AUTH_CONFIG, "API permission denied");
        }
        b.put("100", BAD_REQUEST, "Invalid parameter");
        b.put("368", ACCOUNT_RESTRICTED, "Temporarily blocked for policy violations");
        b.put("470", SESSION_EXPIRED, "Outside the 24-hour window (legacy code)");
        b.put("80007", RATE_LIMITED, "WhatsApp Business Account rate limit hit");
        b.put("130429", RATE_LIMITED, "Cloud API throughput limit reached");
        b.put("130472", UNDELIVERABLE, "Recipient is part of an experiment: not deliverable on WhatsApp");
        b.put("130497", UNDELIVERABLE, "Business may not message users in this country");
        b.put("131000", TEMPORARY, "Something went wrong");
        b.put("131005", AUTH_CONFIG, "Access denied");
        b.put("131008", BAD_REQUEST, "Required parameter is missing");
        b.put("131009", BAD_REQUEST, "Parameter value is not valid");
        b.put("131016", PROVIDER_UNAVAILABLE, "Service unavailable");
        b.put("131021", INVALID_RECIPIENT, "Recipient cannot be the sender");
        b.put("131030", INVALID_RECIPIENT, "Recipient not in the allowed list of the test number");
        b.put("131037", AUTH_CONFIG, "The business number needs an approved display name before it can send");
        b.put("131026", UNDELIVERABLE, "Message undeliverable: not on WhatsApp, old app, or blocked the business");
        b.put("131031", ACCOUNT_RESTRICTED, "Business account locked");
        b.put("131042", ACCOUNT_RESTRICTED, "Business eligibility payment issue");
        b.put("131045", AUTH_CONFIG, "Phone number not registered (certificate)");
        b.put("131047", SESSION_EXPIRED, "More than 24 hours since the customer last replied");
        b.put(ErrorClassification.of("131048", RATE_LIMITED, "Spam rate limit hit (quality)")
                .withMinimumDelay(Duration.ofMinutes(30)));
        b.put(ErrorClassification.of("131049", TEMPORARY, "Not delivered to maintain healthy ecosystem engagement")
                .withMinimumDelay(Duration.ofHours(24)));
        // the customer stopped offers, not reminders: the marketing consent only
        b.put(ErrorClassification.of("131050", OPTED_OUT, "User stopped marketing messages")
                .revokingConsent(ConsentPurpose.MARKETING));
        b.put("131051", BAD_REQUEST, "Unsupported message type");
        b.put("131052", BAD_REQUEST, "Media download error");
        b.put("131053", BAD_REQUEST, "Media upload error");
        b.put(ErrorClassification.of("131056", RATE_LIMITED, "Pair rate limit: too many messages to this recipient")
                .withScope(RateLimitScope.RECIPIENT));
        b.put("131063", TEMPLATE, "Marketing templates are disabled for Cloud API on this account");
        b.put(ErrorClassification.of("131064", RATE_LIMITED,
                "Messaging limit reached after template classification violations").withMinimumDelay(Duration.ofHours(1)));
        b.put(ErrorClassification.of("131057", PROVIDER_UNAVAILABLE, "Account in maintenance (throughput upgrade)")
                .withMinimumDelay(Duration.ofSeconds(60)));
        for (String code : new String[] {"132000", "132001", "132005", "132007", "132008", "132012", "132016", "132018",
                "132068"}) {
            b.put(code, TEMPLATE, templateDescription(code));
        }
        // paused for 3 hours, then 6: waiting spends no attempt, a fallback rule may send the SMS now
        b.put(ErrorClassification.of("132015", TEMPLATE, templateDescription("132015"))
                .deferringFor(TEMPLATE_PAUSE));
        b.put("132069", RATE_LIMITED, "Flow blocked or throttled");
        b.put("133000", AUTH_CONFIG, "Incomplete deregistration of the business number");
        b.put("133004", PROVIDER_UNAVAILABLE, "Server temporarily unavailable");
        for (String code : new String[] {"133005", "133006", "133008", "133009", "133010"}) {
            b.put(code, AUTH_CONFIG, "Business phone number PIN, verification or registration problem");
        }
        b.put("135000", BAD_REQUEST, "Generic user error");
        return b.build();
    }

    private static String templateDescription(String code) {
        return switch (code) {
            case "132000" -> "Template parameter count mismatch";
            case "132001" -> "Template does not exist or is not approved in this language";
            case "132005" -> "Translated template text too long";
            case "132007" -> "Template content violates policy";
            case "132008" -> "Template parameter value formatted incorrectly";
            case "132018" -> "Template parameter has a new line, a tab or more than four consecutive spaces";
            case "132012" -> "Template parameter format mismatch";
            case "132015" -> "Template paused for low quality";
            case "132016" -> "Template disabled for low quality";
            default -> "Flow blocked";
        };
    }

    /** Twilio Programmable Messaging codes (and most Twilio-compatible SMS APIs). */
    public static ErrorCatalogue twilio() {
        Builder b = builder("twilio");
        b.put("20003", AUTH_CONFIG, "Authentication failed");
        b.put("20404", AUTH_CONFIG, "Account or resource not found");
        b.put("20429", RATE_LIMITED, "Too many concurrent requests");
        b.put("21211", INVALID_RECIPIENT, "Invalid 'To' phone number");
        b.put("21408", AUTH_CONFIG, "Permission to send to this region is not enabled");
        b.put("21602", BAD_REQUEST, "Message body is required");
        b.put("21603", AUTH_CONFIG, "'From' or 'MessagingServiceSid' is required");
        b.put("21606", AUTH_CONFIG, "'From' number is not valid for this account");
        b.put("21608", INVALID_RECIPIENT, "'To' number not verified for this trial account");
        b.put(ErrorClassification.of("21611", RATE_LIMITED, "'From' number has more queued messages than it may")
                .withMinimumDelay(Duration.ofMinutes(5)));
        b.put(ErrorClassification.of("21610", OPTED_OUT, "Recipient unsubscribed (replied STOP)")
                .revokingConsent());
        b.put("21612", UNDELIVERABLE, "Cannot route to this number");
        b.put("21614", INVALID_RECIPIENT, "'To' is not a mobile number");
        b.put("21617", BAD_REQUEST, "Message body exceeds the 1600 character limit");
        b.put(ErrorClassification.of("30001", RATE_LIMITED, "Queue overflow: too many messages too quickly")
                .withMinimumDelay(Duration.ofMinutes(5)));
        b.put("30002", ACCOUNT_RESTRICTED, "Account suspended");
        b.put("30003", TEMPORARY, "Unreachable destination handset");
        b.put("30004", UNDELIVERABLE, "Message blocked");
        b.put("30005", INVALID_RECIPIENT, "Unknown destination handset");
        b.put("30006", INVALID_RECIPIENT, "Landline or unreachable carrier");
        b.put("30007", BAD_REQUEST, "Carrier filtering: change the content before retrying");
        b.put("30008", TEMPORARY, "Unknown error");
        b.put("30022", RATE_LIMITED, "US A2P 10DLC: rate limits of the campaign exceeded");
        b.put("30032", AUTH_CONFIG, "Toll-free number not verified");
        b.put("30034", AUTH_CONFIG, "US A2P 10DLC: message from an unregistered number");
        b.put("30450", UNDELIVERABLE, "Message delivery blocked (SMS pumping protection)");
        b.put(ErrorClassification.of("63038", RATE_LIMITED, "Account exceeded its daily messages limit")
                .withMinimumDelay(Duration.ofHours(1)));
        b.put(ErrorClassification.of("14107", RATE_LIMITED, "Too many messages between the same two numbers")
                .withScope(RateLimitScope.RECIPIENT));
        return b.build();
    }
}
