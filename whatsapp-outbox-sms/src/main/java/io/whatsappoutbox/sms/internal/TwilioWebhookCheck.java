package io.whatsappoutbox.sms.internal;

import io.micrometer.core.instrument.Counter;
import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.spi.WebhookSecrets;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * What every Twilio webhook goes through before it is read (the status callback and the inbound
 * message): POST only, a size limit, a form body, and the {@code X-Twilio-Signature} over the
 * public URL with one of the current auth tokens. Internal.
 */
public final class TwilioWebhookCheck {
    public static final String SIGNATURE_HEADER = "X-Twilio-Signature";

    private final WebhookSecrets secrets;
    private final String publicUrl;
    private final int maxBodyBytes;
    private final Counter signatureFailures;
    private final Clock clock;
    private final Logger log;
    private final String what;

    /**
     * @param what the webhook's name in answers and logs ({@code status callback})
     * @param signatureFailures counted at each 401, or null
     */
    public TwilioWebhookCheck(String what, WebhookSecrets secrets, String publicUrl, int maxBodyBytes,
            Counter signatureFailures, Clock clock, Logger log) {
        this.what = what;
        this.secrets = secrets;
        this.publicUrl = publicUrl;
        this.maxBodyBytes = maxBodyBytes;
        this.signatureFailures = signatureFailures;
        this.clock = clock;
        this.log = log;
    }

    /** The request's form and its time, or the answer that refuses it. */
    public record Checked(List<FormParam> params, Instant now, WebhookResponse refusal) {}

    public Checked check(WebhookRequest request) {
        Objects.requireNonNull(request, "request");
        if (!"POST".equals(request.method())) {
            return refused(WebhookResponse.text(405, "Method not allowed: Twilio posts " + what + "s"));
        }
        if (request.body().length > maxBodyBytes) {
            log.warn("Twilio {} refused: body of {} bytes exceeds {}", what, request.body().length, maxBodyBytes);
            return refused(WebhookResponse.text(413, "Body too large"));
        }
        List<FormParam> params;
        try {
            params = FormDecoder.decode(request.body());
        } catch (MalformedFormException e) {
            log.warn("Twilio {} refused: body is not a form ({})", what, e.getMessage());
            return refused(WebhookResponse.text(400, "Body is not application/x-www-form-urlencoded UTF-8"));
        }
        Instant now = clock.instant();
        Verdict verdict;
        try {
            verdict = verify(request, params, now);
        } catch (RuntimeException e) {
            // a store's exception may quote what it was given: its type and masked message, no stack
            log.error("Twilio {} not verified: the webhook secrets could not be read ({})", what, SafeText.describe(e));
            return refused(WebhookResponse.text(500, "Could not verify the request"));
        }
        if (verdict != Verdict.VALID) {
            if (signatureFailures != null) {
                signatureFailures.increment();
            }
            log.warn("Twilio {} refused: {}", what, verdict.reason);
            return refused(WebhookResponse.text(401, "Invalid signature"));
        }
        return new Checked(params, now, null);
    }

    private static Checked refused(WebhookResponse r) {
        return new Checked(List.of(), null, r);
    }

    private Verdict verify(WebhookRequest request, List<FormParam> params, Instant now) {
        Optional<String> signature = request.header(SIGNATURE_HEADER).filter(s -> !s.isBlank());
        if (signature.isEmpty()) {
            return Verdict.MISSING;
        }
        String url = publicUrl != null ? publicUrl : request.url();
        if (url == null || url.isBlank()) {
            return Verdict.NO_URL;
        }
        List<byte[]> forms = TwilioSignature.signedForms(url, params);
        String presented = signature.get().trim();
        if (matchesAny(secrets.candidates(now), forms, presented, now)) {
            return Verdict.VALID;
        }
        // A token rotated a moment ago may not be in a cached store yet: reload once.
        return matchesAny(secrets.refresh(now), forms, presented, now) ? Verdict.VALID : Verdict.INVALID;
    }

    private static boolean matchesAny(List<WebhookSecrets.Candidate> candidates, List<byte[]> forms, String presented,
            Instant now) {
        if (candidates == null) {
            return false;
        }
        for (WebhookSecrets.Candidate c : candidates) {
            if (c != null && c.validAt(now) && TwilioSignature.matches(c.secret(), forms, presented)) {
                return true;
            }
        }
        return false;
    }

    /** The first value of {@code name}, trimmed, when present and not blank. */
    public static Optional<String> first(List<FormParam> params, String name) {
        for (FormParam p : params) {
            if (p.name().equals(name)) {
                String v = p.value().trim();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public static boolean hasControlCharacter(String value) {
        return value.codePoints().anyMatch(Character::isISOControl);
    }

    private enum Verdict {
        VALID("valid"),
        MISSING("no X-Twilio-Signature header"),
        NO_URL("no public URL configured and the request carries none"),
        INVALID("signature matches no current auth token");

        final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }
    }
}
