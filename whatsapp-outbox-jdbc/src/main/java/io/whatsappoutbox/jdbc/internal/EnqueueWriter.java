package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.jdbc.EnqueueResult;
import io.whatsappoutbox.jdbc.IdempotencyConflictException;
import io.whatsappoutbox.jdbc.TemplateCheck;
import io.whatsappoutbox.core.BusinessKey;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.internal.OutboxObservations;
import io.whatsappoutbox.jdbc.ops.OperationKind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Writes outbound messages on a connection the caller owns (the host's, inside its transaction),
 * in one statement however many there are. Plain JDBC: it runs on any connection a host has.
 * Internal.
 */
public final class EnqueueWriter {
    /** One request's row, in both inserts: the arrays, bound in this order, and their names. */
    private static final String ROW_ARRAYS = """
            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
            ?::text[], ?::int[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
            ?::smallint[], ?::text[], ?::text[]""";
    private static final String ROW_FIELDS = """
            org_id, dossier_id, channel, to_recipient, template_code, content_type, payload, content_hash,
            idempotency_key, max_attempts, next_attempt_at, fallback_of, created_by, consent_purpose,
            recipient_time_zone, send_by, priority, ordering_key, trace_context""";
    /**
     * The insert of the rows of {@code x}; its two parameters are the created and updated time. A
     * fallback without a trace context of its own takes its parent's (a look-up by primary key, only
     * for fallbacks), so that its send joins the trace that enqueued the parent.
     */
    private static final String INSERT_ROWS = """
            INSERT INTO outbound_message (org_id, dossier_id, channel, to_recipient, template_code, content_type,
                payload_json, content_hash, status, idempotency_key, max_attempts, next_attempt_at, fallback_of,
                created_at, updated_at, created_by, updated_by, consent_purpose, recipient_time_zone, send_by,
                priority, ordering_key, trace_context)
            SELECT x.org_id, x.dossier_id, x.channel, x.to_recipient, x.template_code, x.content_type,
                   x.payload::jsonb, x.content_hash, 'QUEUED', x.idempotency_key, x.max_attempts,
                   x.next_attempt_at::timestamptz, x.fallback_of, ?, ?, x.created_by, x.created_by, x.consent_purpose,
                   x.recipient_time_zone, x.send_by::timestamptz, x.priority, x.ordering_key,
                   CASE WHEN x.fallback_of IS NULL THEN x.trace_context
                        ELSE coalesce(x.trace_context,
                                      (SELECT p.trace_context FROM outbound_message p WHERE p.id = x.fallback_of))
                   END
            """;
    private static final String INSERT = INSERT_ROWS + "  FROM unnest(" + ROW_ARRAYS + ")\n"
            + "       WITH ORDINALITY AS x(" + ROW_FIELDS + ", ord)\n"
            + " ORDER BY x.ord\n"
            + "ON CONFLICT DO NOTHING\n"
            + "RETURNING id, org_id, idempotency_key";
    /**
     * The insert of a batch where a request supersedes others: the org's QUEUED messages of its key
     * are cancelled in the same statement, only for a request whose row this statement created (a
     * repeated idempotency key cancels nothing), with the audit row the operator's cancel writes.
     * Rows inserted by the statement are not visible to its update: a new message never cancels itself.
     */
    private static final String INSERT_SUPERSEDING = "WITH x AS (\n"
            + "    SELECT * FROM unnest(" + ROW_ARRAYS + ", ?::text[], ?::text[], ?::uuid[], ?::text[])\n"
            + "           WITH ORDINALITY AS x(" + ROW_FIELDS + ", supersedes_dossier, supersedes_key, operation_id,"
            + " filter, ord)\n"
            + "), ins AS (\n" + INSERT_ROWS + "      FROM x\n"
            + "     ORDER BY x.ord\n"
            + "    ON CONFLICT DO NOTHING\n"
            + "    RETURNING id, org_id, idempotency_key\n"
            + """
            ), sup AS (
                UPDATE outbound_message m
                   SET status = ?, locked_until = NULL, operation_id = x.operation_id, updated_at = ?,
                       updated_by = coalesce(x.created_by, ?)
                  FROM ins JOIN x ON x.org_id = ins.org_id AND x.idempotency_key = ins.idempotency_key
                 WHERE m.org_id = x.org_id AND m.status = 'QUEUED' AND m.status = ANY(?)
                   AND (m.dossier_id = x.supersedes_dossier OR m.idempotency_key = x.supersedes_key)
                RETURNING m.id, ins.id AS by_id, x.operation_id, x.org_id, x.created_by, x.filter
            ), audit AS (
                INSERT INTO outbox_audit (operation_id, action, operator, reason, org_scope, filter_json, dry_run,
                                          affected_count, details_json, created_at)
                SELECT s.operation_id, ?, coalesce(s.created_by, ?), 'superseded by message ' || s.by_id, s.org_id,
                       s.filter::jsonb || jsonb_build_object('supersededBy', s.by_id), false, count(*),
                       jsonb_build_object('messageIds', jsonb_agg(s.id ORDER BY s.id), 'inFlight', '[]'::jsonb,
                                          'before', 'QUEUED', 'after', 'CANCELLED'),
                       ?
                  FROM sup s
                 GROUP BY s.operation_id, s.by_id, s.org_id, s.created_by, s.filter
            )
            SELECT i.id, i.org_id, i.idempotency_key,
                   (SELECT array_agg(s.id ORDER BY s.id) FROM sup s WHERE s.by_id = i.id) AS superseded
              FROM ins i""";
    private static final String EXISTING = "SELECT " + MessageRows.COLUMNS + """
            , content_hash FROM outbound_message
             WHERE (org_id, idempotency_key) IN (SELECT * FROM unnest(?::text[], ?::text[]))
                OR (fallback_of, channel) IN (SELECT * FROM unnest(?::bigint[], ?::text[]))""";

    private final ContentCodec codec;
    private final MessageRows rows;
    private final Clock clock;
    private final int defaultMaxAttempts;
    private final TemplateChecks templateChecks;
    private final String insert;
    private final String insertSuperseding;
    private final String existing;

    public EnqueueWriter(ContentCodec codec, MessageRows rows, Clock clock, int defaultMaxAttempts,
            SchemaNames names) {
        this(codec, rows, clock, defaultMaxAttempts, TemplateCheck.STRICT, names);
    }

    /** @param names the statements run on the host's connection, whose search_path is the host's */
    public EnqueueWriter(ContentCodec codec, MessageRows rows, Clock clock, int defaultMaxAttempts,
            TemplateCheck templateCheck, SchemaNames names) {
        this.insert = names.qualify(INSERT);
        this.insertSuperseding = names.qualify(INSERT_SUPERSEDING);
        this.existing = names.qualify(EXISTING);
        this.codec = codec;
        this.rows = rows;
        this.clock = clock;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.templateChecks = new TemplateChecks(templateCheck, names);
    }

    /**
     * Enqueues every request or none: a key reused with other content throws before anything of
     * this call remains written (a savepoint undoes the batch inside the host's transaction).
     */
    public List<EnqueueResult> enqueue(Connection c, List<OutboundMessageRequest> requests) throws SQLException {
        return enqueue(c, requests, null);
    }

    /**
     * As {@link #enqueue(Connection, List)}, every new message carrying {@code traceContext} (the
     * enqueue's observation; null: none, a fallback then takes its parent's).
     */
    public List<EnqueueResult> enqueue(Connection c, List<OutboundMessageRequest> requests,
            Map<String, String> traceContext) throws SQLException {
        Objects.requireNonNull(c, "connection");
        if (requests.isEmpty()) {
            return List.of();
        }
        Map<String, OutboundMessageRequest> unique = uniqueByKey(requests);
        // read only, before anything of the call is written: a refusal leaves nothing behind
        Set<String> marketing = templateChecks.check(c, requests);
        boolean guard = unique.size() > 1 && !c.getAutoCommit();
        Savepoint savepoint = guard ? c.setSavepoint() : null;
        try {
            List<EnqueueResult> results = write(c, requests, unique, marketing, traceContext);
            if (savepoint != null) {
                c.releaseSavepoint(savepoint);
            }
            return results;
        } catch (SQLException | RuntimeException e) {
            if (savepoint != null) {
                c.rollback(savepoint);
            }
            throw e;
        }
    }

    /** For the store's own transactions, where a failure rolls the whole transaction back. */
    List<EnqueueResult> enqueueUnchecked(Connection c, List<OutboundMessageRequest> requests) {
        try {
            return enqueue(c, requests);
        } catch (SQLException e) {
            throw new IllegalStateException("writing messages failed: " + e.getMessage(), e);
        }
    }

    private List<EnqueueResult> write(Connection c, List<OutboundMessageRequest> requests,
            Map<String, OutboundMessageRequest> unique, Set<String> marketing, Map<String, String> traceContext)
            throws SQLException {
        // PostgreSQL keeps microseconds: answer with what is stored
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<OutboundMessageRequest> batch = new ArrayList<>(unique.values());
        int n = batch.size();
        String[] org = new String[n];
        String[] dossier = new String[n];
        String[] channel = new String[n];
        String[] to = new String[n];
        String[] template = new String[n];
        String[] type = new String[n];
        String[] payload = new String[n];
        String[] hash = new String[n];
        String[] key = new String[n];
        Integer[] maxAttempts = new Integer[n];
        String[] due = new String[n];
        Long[] fallbackOf = new Long[n];
        String[] createdBy = new String[n];
        String[] purpose = new String[n];
        String[] zone = new String[n];
        String[] sendBy = new String[n];
        Short[] priority = new Short[n];
        String[] orderingKey = new String[n];
        String trace = OutboxObservations.encode(traceContext);
        String[] traces = trace == null ? null : new String[n];
        for (int i = 0; i < n; i++) {
            OutboundMessageRequest r = batch.get(i);
            org[i] = r.orgId();
            dossier[i] = r.dossierId();
            channel[i] = r.channel().name();
            to[i] = r.to().value();
            template[i] = r.content().templateName().orElse(null);
            type[i] = r.content().type().name();
            payload[i] = codec.encode(r.content());
            hash[i] = r.fingerprint();
            key[i] = r.idempotencyKey();
            maxAttempts[i] = r.maxAttempts() == null ? defaultMaxAttempts : r.maxAttempts();
            due[i] = Times.iso(r.notBefore() == null ? now : r.notBefore().truncatedTo(ChronoUnit.MICROS));
            fallbackOf[i] = r.fallbackOf();
            createdBy[i] = r.createdBy();
            purpose[i] = purposeOf(r, marketing).name();
            zone[i] = r.recipientTimeZone() == null ? null : r.recipientTimeZone().getId();
            sendBy[i] = r.sendBy() == null ? null : Times.iso(r.sendBy());
            priority[i] = (short) r.priority().rank();
            orderingKey[i] = r.orderingKey();
            if (traces != null) {
                traces[i] = trace;
            }
        }
        Map<String, Long> created = new HashMap<>();
        Map<Long, List<Long>> superseded = new HashMap<>();
        boolean superseding = batch.stream().anyMatch(r -> r.supersedes() != null);
        try (PreparedStatement p = c.prepareStatement(superseding ? insertSuperseding : insert)) {
            List<Array> arrays = new ArrayList<>(Arrays.asList(
                c.createArrayOf("text", org), c.createArrayOf("text", dossier), c.createArrayOf("text", channel),
                c.createArrayOf("text", to), c.createArrayOf("text", template), c.createArrayOf("text", type),
                c.createArrayOf("text", payload), c.createArrayOf("text", hash), c.createArrayOf("text", key),
                c.createArrayOf("int4", maxAttempts), c.createArrayOf("text", due), c.createArrayOf("int8", fallbackOf),
                c.createArrayOf("text", createdBy), c.createArrayOf("text", purpose), c.createArrayOf("text", zone),
                c.createArrayOf("text", sendBy), c.createArrayOf("int2", priority),
                c.createArrayOf("text", orderingKey),
                // untraced: one NULL, which unnest pads to every row
                traces == null ? null : c.createArrayOf("text", traces)));
            if (superseding) {
                bindSuperseding(c, p, batch, arrays, now);
            } else {
                p.setObject(1, Times.utc(now));
                p.setObject(2, Times.utc(now));
                for (int i = 0; i < arrays.size(); i++) {
                    p.setArray(3 + i, arrays.get(i));
                }
            }
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    created.put(identity(rs.getString(2), rs.getString(3)), rs.getLong(1));
                    Array ids = superseding ? rs.getArray(4) : null;
                    if (ids != null) {
                        superseded.put(rs.getLong(1), List.of((Long[]) ids.getArray()));
                    }
                }
            }
        }
        Map<String, Existing> existing = created.size() == n ? Map.of() : existing(c, batch, created);
        List<EnqueueResult> results = new ArrayList<>(requests.size());
        Map<String, Boolean> reported = new HashMap<>();
        for (OutboundMessageRequest r : requests) {
            String id = identity(r.orgId(), r.idempotencyKey());
            Long newId = created.get(id);
            if (newId != null) {
                // a key repeated in the batch is created once and answered as existing after that
                boolean first = reported.putIfAbsent(id, Boolean.TRUE) == null;
                results.add(new EnqueueResult(stored(newId, r, now, marketing, traceContext), first,
                        first ? superseded.get(newId) : List.of()));
                continue;
            }
            Existing e = existing.get(id);
            if (e == null && r.fallbackOf() != null) {
                e = existing.get(fallbackIdentity(r.fallbackOf(), r.channel().name()));
            }
            if (e == null) {
                throw new IllegalStateException("enqueue conflicted with a row that is no longer visible; retry the transaction");
            }
            if (!e.hash().equals(r.fingerprint()) && r.fallbackOf() == null) {
                throw new IdempotencyConflictException(r.orgId(), r.idempotencyKey(), e.message().id());
            }
            results.add(new EnqueueResult(e.message(), false));
        }
        return results;
    }

    /** Binds {@link #INSERT_SUPERSEDING}'s parameters, in the order they appear in its text. */
    private static void bindSuperseding(Connection c, PreparedStatement p, List<OutboundMessageRequest> batch,
            List<Array> arrays, Instant now) throws SQLException {
        int n = batch.size();
        String[] dossier = new String[n];
        String[] key = new String[n];
        UUID[] operation = new UUID[n];
        String[] filter = new String[n];
        for (int i = 0; i < n; i++) {
            BusinessKey s = batch.get(i).supersedes();
            if (s != null) {
                dossier[i] = s.dossierIdOrNull();
                key[i] = s.idempotencyKeyOrNull();
                operation[i] = UUID.randomUUID();
                filter[i] = HostCancels.filter(s);
            }
        }
        arrays.add(c.createArrayOf("text", dossier));
        arrays.add(c.createArrayOf("text", key));
        arrays.add(c.createArrayOf("uuid", operation));
        arrays.add(c.createArrayOf("text", filter));
        int i = 1;
        for (Array a : arrays) {
            p.setArray(i++, a);
        }
        p.setObject(i++, Times.utc(now));
        p.setObject(i++, Times.utc(now));
        p.setString(i++, Transition.CANCEL.target().name());
        p.setObject(i++, Times.utc(now));
        p.setString(i++, HostCancels.HOST.name());
        p.setArray(i++, c.createArrayOf("text", HostCancels.queuedSources()));
        p.setString(i++, OperationKind.CANCEL_MESSAGES.name());
        p.setString(i++, HostCancels.HOST.name());
        p.setObject(i, Times.utc(now));
    }

    private record Existing(OutboundMessage message, String hash) {}

    private Map<String, Existing> existing(Connection c, List<OutboundMessageRequest> batch, Map<String, Long> created)
            throws SQLException {
        List<String> orgs = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<Long> parents = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        for (OutboundMessageRequest r : batch) {
            if (!created.containsKey(identity(r.orgId(), r.idempotencyKey()))) {
                orgs.add(r.orgId());
                keys.add(r.idempotencyKey());
                if (r.fallbackOf() != null) {
                    parents.add(r.fallbackOf());
                    channels.add(r.channel().name());
                }
            }
        }
        Map<String, Existing> found = new HashMap<>();
        try (PreparedStatement p = c.prepareStatement(existing)) {
            p.setArray(1, c.createArrayOf("text", orgs.toArray()));
            p.setArray(2, c.createArrayOf("text", keys.toArray()));
            p.setArray(3, c.createArrayOf("int8", parents.toArray()));
            p.setArray(4, c.createArrayOf("text", channels.toArray()));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    OutboundMessage m = rows.map(rs);
                    Existing e = new Existing(m, rs.getString("content_hash"));
                    found.put(identity(m.orgId(), m.idempotencyKey()), e);
                    if (m.fallbackOf() != null) {
                        found.put(fallbackIdentity(m.fallbackOf(), m.channel().name()), e);
                    }
                }
            }
        }
        return found;
    }

    /** Keeps one request per org and key; two different contents under one key are refused. */
    private static Map<String, OutboundMessageRequest> uniqueByKey(List<OutboundMessageRequest> requests) {
        Map<String, OutboundMessageRequest> unique = new LinkedHashMap<>();
        for (OutboundMessageRequest r : requests) {
            Objects.requireNonNull(r, "request");
            OutboundMessageRequest first = unique.putIfAbsent(identity(r.orgId(), r.idempotencyKey()), r);
            if (first != null && !first.fingerprint().equals(r.fingerprint())) {
                throw IdempotencyConflictException.withinBatch(r.orgId(), r.idempotencyKey());
            }
        }
        return unique;
    }

    /**
     * The one place where a message's consent purpose is decided: MARKETING when the host says so
     * or when the org's template registry holds the template as MARKETING ({@code marketing}, from
     * the template check), TRANSACTIONAL otherwise.
     */
    private static ConsentPurpose purposeOf(OutboundMessageRequest r, Set<String> marketing) {
        return r.purpose() == ConsentPurpose.MARKETING || TemplateChecks.isMarketing(marketing, r)
                ? ConsentPurpose.MARKETING : r.purpose();
    }

    private OutboundMessage stored(long id, OutboundMessageRequest r, Instant now, Set<String> marketing,
            Map<String, String> traceContext) {
        return new OutboundMessage(id, r.orgId(), r.dossierId(), r.channel(), r.to(), r.content(), MessageStatus.QUEUED,
                r.idempotencyKey(), 0, r.maxAttempts() == null ? defaultMaxAttempts : r.maxAttempts(), 0,
                r.notBefore() == null ? now : r.notBefore().truncatedTo(ChronoUnit.MICROS), null, null, r.fallbackOf(),
                now, now, null, null, null,
                r.createdBy(), r.createdBy(), purposeOf(r, marketing), r.recipientTimeZone(),
                r.sendBy(), r.priority(), r.orderingKey(), trace(traceContext));
    }

    /** As the row holds it: what the encoding keeps. */
    private static Map<String, String> trace(Map<String, String> traceContext) {
        return traceContext == null ? null : OutboxObservations.decode(OutboxObservations.encode(traceContext));
    }

    private static String identity(String org, String key) {
        return org + '\u0000' + key;
    }

    private static String fallbackIdentity(long parent, String channel) {
        return "fallback\u0000" + parent + '\u0000' + channel;
    }
}
