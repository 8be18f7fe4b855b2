package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.jdbc.Consents;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Consent records in {@code consentement}. Internal. */
public final class JdbcConsents implements Consents {
    private static final Pattern SOURCE = Pattern.compile("[\\p{L}\\p{N} ._:/@#+=,()'-]+");
    private static final String UPSERT = """
            INSERT INTO consentement (org_id, phone_number, channel, purpose, status, source, created_at, updated_at,
                                      updated_by)
            SELECT c.org_id, c.phone, c.channel, c.purpose, :status, :source, :now, :now, :actor
              FROM unnest(:orgs::text[], :phones::text[], :channels::text[], :purposes::text[])
                   AS c(org_id, phone, channel, purpose)
            ON CONFLICT (org_id, phone_number, channel, purpose) DO UPDATE
               SET status = EXCLUDED.status, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at,
                   updated_by = EXCLUDED.updated_by""";

    private final HostJoin writes;
    private final Jdbi jdbi;
    private final Clock clock;

    public JdbcConsents(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, new HostJoin(jdbi, null));
    }

    /** @param writes where grants and revocations go: the host's transaction in progress, if any */
    public JdbcConsents(Jdbi jdbi, Clock clock, HostJoin writes) {
        this.writes = writes;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Whose consent, on which channel. */
    public record Key(String orgId, String phone, Channel channel, ConsentPurpose purpose) {
        /** Every purpose's consent of the message's recipient on its channel (an opt-out). */
        public static List<Key> everyPurpose(OutboundMessage m) {
            return everyPurpose(m.orgId(), m.to().value(), m.channel());
        }

        /** The consent a provider's opt-out revokes: {@code purpose}'s, or every purpose's when null. */
        public static List<Key> revoked(OutboundMessage m, ConsentPurpose purpose) {
            return purpose == null ? everyPurpose(m) : List.of(new Key(m.orgId(), m.to().value(), m.channel(), purpose));
        }

        public static List<Key> everyPurpose(String orgId, String phone, Channel channel) {
            return Arrays.stream(ConsentPurpose.values()).map(p -> new Key(orgId, phone, channel, p)).toList();
        }
    }

    @Override
    public void grant(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose, String source,
            String actor) {
        record(orgId, recipient, channel, purpose, ConsentStatus.GRANTED, source, actor);
    }

    @Override
    public void revoke(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose, String source,
            String actor) {
        record(orgId, recipient, channel, purpose, ConsentStatus.REVOKED, source, actor);
    }

    private void record(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose,
            ConsentStatus status, String source, String actor) {
        Violations v = new Violations();
        v.orgId("orgId", orgId);
        v.requireNonNull("recipient", recipient);
        v.requireNonNull("channel", channel);
        v.requireNonNull("purpose", purpose);
        v.text("source", source, 200, SOURCE, "1 to 200 letters, digits, spaces and . _ : / @ # + = , ( ) ' -");
        v.text("actor", actor, 64, SOURCE, "1 to 64 letters, digits, spaces and . _ : / @ # + = , ( ) ' -");
        v.throwIfAny("consent");
        Instant now = clock.instant();
        writes.inTransaction(h -> {
            upsert(h, List.of(new Key(orgId, recipient.value(), channel, purpose)), status, source, actor, now);
            return null;
        });
    }

    @Override
    public ConsentStatus status(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(purpose, "purpose");
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT status FROM consentement
                         WHERE org_id = :org AND phone_number = :phone AND channel = :channel AND purpose = :purpose""")
                .bind("org", orgId).bind("phone", recipient.value()).bind("channel", channel.name())
                .bind("purpose", purpose.name())
                .mapTo(String.class).findOne().map(ConsentStatus::valueOf).orElse(ConsentStatus.UNKNOWN));
    }

    /** Revokes within the caller's transaction (provider opt-out codes, STOP keywords). */
    static void revokeAll(Handle h, List<Key> keys, String source, Instant now) {
        recordAll(h, keys, ConsentStatus.REVOKED, source, now);
    }

    /** Records within the caller's transaction (opt-in keywords, Meta's marketing preference). */
    static void recordAll(Handle h, List<Key> keys, ConsentStatus status, String source, Instant now) {
        if (!keys.isEmpty()) {
            upsert(h, keys, status, source, "whatsapp-outbox", now);
        }
    }

    private static void upsert(Handle h, List<Key> keys, ConsentStatus status, String source, String actor,
            Instant now) {
        List<Key> distinct = keys.stream().distinct().toList();
        h.createUpdate(UPSERT)
                .bindArray("orgs", String.class, distinct.stream().map(Key::orgId).toList())
                .bindArray("phones", String.class, distinct.stream().map(Key::phone).toList())
                .bindArray("channels", String.class, distinct.stream().map(k -> k.channel().name()).toList())
                .bindArray("purposes", String.class, distinct.stream().map(k -> k.purpose().name()).toList())
                .bind("status", status.name())
                .bind("source", source.length() > 200 ? source.substring(0, 200) : source)
                .bind("actor", actor)
                .bind("now", now)
                .execute();
    }
}
