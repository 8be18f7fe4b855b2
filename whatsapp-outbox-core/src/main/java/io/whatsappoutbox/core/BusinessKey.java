package io.whatsappoutbox.core;

import io.whatsappoutbox.core.internal.SafeText;
import io.whatsappoutbox.core.internal.Violations;

/**
 * How a host names its messages when it cancels or supersedes them: by the dossier they belong to
 * ({@code outbound_message.dossier_id}) or by one message's idempotency key. Always within one org.
 *
 * @param kind which column the value is compared with
 * @param value the dossier id or the idempotency key, as the host gave it on enqueue
 */
public record BusinessKey(Kind kind, String value) {

    /** Which column a key names. */
    public enum Kind {
        /** Every message of the dossier. */
        DOSSIER("dossierId"),
        /** The one message enqueued under that key. */
        IDEMPOTENCY_KEY("idempotencyKey");

        private final String field;

        Kind(String field) {
            this.field = field;
        }

        /** The request field carrying such a key ({@code dossierId}, {@code idempotencyKey}). */
        public String field() {
            return field;
        }
    }

    public BusinessKey {
        Violations v = new Violations();
        if (v.requireNonNull("kind", kind)) {
            check(v, kind.field(), kind, value);
        }
        v.throwIfAny("business key");
    }

    public static BusinessKey dossier(String dossierId) {
        return new BusinessKey(Kind.DOSSIER, dossierId);
    }

    public static BusinessKey idempotencyKey(String idempotencyKey) {
        return new BusinessKey(Kind.IDEMPOTENCY_KEY, idempotencyKey);
    }

    /** The rules the enqueue applies to the same field. */
    private static void check(Violations v, String field, Kind kind, String value) {
        if (kind == Kind.DOSSIER) {
            v.text(field, value, 64, OutboundMessageRequest.REFERENCE, OutboundMessageRequest.REFERENCE_RULE);
        } else {
            v.text(field, value, OutboundMessageRequest.IDEMPOTENCY_KEY_MAX,
                    OutboundMessageRequest.IDEMPOTENCY_KEY, OutboundMessageRequest.IDEMPOTENCY_KEY_RULE);
        }
    }

    /** The dossier id, or null when this key is an idempotency key. */
    public String dossierIdOrNull() {
        return kind == Kind.DOSSIER ? value : null;
    }

    /** The idempotency key, or null when this key is a dossier id. */
    public String idempotencyKeyOrNull() {
        return kind == Kind.IDEMPOTENCY_KEY ? value : null;
    }

    /** Names the kind and a redacted value: a dossier id may carry a customer's reference. */
    @Override
    public String toString() {
        return "BusinessKey[" + kind.field() + "=" + SafeText.redact(value) + "]";
    }
}
