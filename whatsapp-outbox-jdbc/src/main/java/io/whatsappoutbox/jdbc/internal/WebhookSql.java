package io.whatsappoutbox.jdbc.internal;

/** The webhook side's SQL. Internal. */
final class WebhookSql {
    private WebhookSql() {}

    /** Records event keys; only the ones never seen come back. */
    static final String DEDUPE = """
            INSERT INTO webhook_event (event_key, received_at)
            SELECT k, :now FROM unnest(:keys::text[]) AS k
            ON CONFLICT DO NOTHING
            RETURNING event_key""";

    static final String FORGET_EVENTS = "DELETE FROM webhook_event WHERE event_key = ANY(:keys)";

    /** One batch of keys past the window, oldest first; rows another instance is pruning are skipped. */
    static final String PRUNE_EVENTS = """
            DELETE FROM webhook_event e
             USING (SELECT event_key FROM webhook_event
                     WHERE received_at < :before
                     ORDER BY received_at
                     LIMIT :limit
                       FOR UPDATE SKIP LOCKED) old
             WHERE e.event_key = old.event_key""";

    /** One batch of receipts that waited past the window for a message that never got their id. */
    static final String PRUNE_PENDING = """
            DELETE FROM pending_receipt p
             USING (SELECT provider_message_id, status FROM pending_receipt
                     WHERE received_at < :before
                     ORDER BY received_at
                     LIMIT :limit
                       FOR UPDATE SKIP LOCKED) old
             WHERE p.provider_message_id = old.provider_message_id AND p.status = old.status""";

    /**
     * Takes out the waiting receipts whose message has been written since (a race between a webhook
     * keeping a receipt and the completion that would have applied it), oldest first.
     */
    static final String TAKE_OVERDUE_PENDING = """
            DELETE FROM pending_receipt p
             USING (SELECT pr.provider_message_id, pr.status
                      FROM pending_receipt pr
                      JOIN outbound_message m
                        ON m.provider_message_id = pr.provider_message_id AND m.channel = pr.channel
                     ORDER BY pr.received_at
                     LIMIT :limit
                       FOR UPDATE OF pr SKIP LOCKED) overdue
             WHERE p.provider_message_id = overdue.provider_message_id AND p.status = overdue.status
            RETURNING p.provider_message_id, p.channel, p.org_id, p.status, p.occurred_at, p.error_code,
                      p.error_message, p.error_details, """ + PendingReceipts.PRICING_COLUMNS;

    /**
     * Locks the receipts' messages, so concurrent webhooks for one message apply in turn. A receipt
     * names its message by channel and provider id (the unique index finds it by id).
     */
    static final String LOCK_BY_PROVIDER_ID = "SELECT " + MessageRows.COLUMNS + """
            , provider FROM outbound_message
             WHERE provider_message_id = ANY(:pids)
               AND (channel, provider_message_id) IN (SELECT k.channel, k.pid
                                                        FROM unnest(:channels::text[], :pids::text[]) AS k(channel, pid))
             ORDER BY id
               FOR UPDATE""";

    /** Forward status; the earliest delivery time known wins (least() skips nulls). */
    static final String ADVANCE = """
            UPDATE outbound_message m
               SET status = u.status,
                   delivered_at = least(m.delivered_at, u.delivered_at::timestamptz),
                   read_at = coalesce(m.read_at, u.read_at::timestamptz),
                   updated_at = :now
              FROM unnest(:ids::bigint[], :statuses::text[], :deliveredAt::text[], :readAt::text[])
                   AS u(id, status, delivered_at, read_at)
             WHERE m.id = u.id""";

    static final String FAIL_OR_RETRY = """
            UPDATE outbound_message m
               SET status = u.status,
                   next_attempt_at = coalesce(u.next_at::timestamptz, m.next_attempt_at),
                   failed_at = CASE WHEN u.status = 'FAILED' THEN :now ELSE m.failed_at END,
                   error_code = u.code, error_message = u.msg, error_category = u.cat,
                   updated_at = :now
              FROM unnest(:ids::bigint[], :statuses::text[], :nextAt::text[], :codes::text[], :messages::text[],
                          :categories::text[]) AS u(id, status, next_at, code, msg, cat)
             WHERE m.id = u.id""";

    static final String KEEP_PENDING = """
            INSERT INTO pending_receipt (provider_message_id, channel, org_id, status, occurred_at, error_code,
                error_message, error_details, received_at, pricing_category, pricing_model, billable,
                conversation_id, conversation_origin)
            SELECT p.pid, p.channel, p.org_id, p.status, p.occurred_at::timestamptz, p.code, p.msg, p.details, :now,
                   p.pcat, p.pmodel, p.billable, p.conv, p.origin
              FROM unnest(:pids::text[], :channels::text[], :orgs::text[], :statuses::text[], :occurredAt::text[],
                          :codes::text[], :messages::text[], :details::text[], :pcats::text[], :pmodels::text[],
                          :billables::boolean[], :convs::text[], :origins::text[])
                   AS p(pid, channel, org_id, status, occurred_at, code, msg, details, pcat, pmodel, billable, conv,
                        origin)
            ON CONFLICT DO NOTHING""";

    /**
     * A receipt's pricing on its message's latest attempt row (the one that sent it; a failed
     * receipt's own row is written after). What a receipt does not say keeps what an earlier one said.
     */
    static final String RECORD_PRICING = """
            UPDATE outbound_attempt a
               SET pricing_category = coalesce(u.pcat, a.pricing_category),
                   pricing_model = coalesce(u.pmodel, a.pricing_model),
                   billable = coalesce(u.billable, a.billable),
                   conversation_id = coalesce(u.conv, a.conversation_id),
                   conversation_origin = coalesce(u.origin, a.conversation_origin)
              FROM unnest(:ids::bigint[], :pcats::text[], :pmodels::text[], :billables::boolean[], :convs::text[],
                          :origins::text[]) AS u(message_id, pcat, pmodel, billable, conv, origin)
             WHERE a.id = (SELECT max(l.id) FROM outbound_attempt l WHERE l.message_id = u.message_id)""";

    static final String INSERT_INBOUND = """
            INSERT INTO message (org_id, channel, from_recipient, provider_message_id, message_type, body, payload,
                context_message_id, received_at, created_at, profile_name, details)
            SELECT i.org_id, i.channel, i.from_recipient, i.pid, i.type, i.body, i.payload, i.context,
                   i.received_at::timestamptz, :now, i.profile_name, i.details::jsonb
              FROM unnest(:orgs::text[], :channels::text[], :froms::text[], :pids::text[], :types::text[],
                          :bodies::text[], :payloads::text[], :contexts::text[], :receivedAt::text[],
                          :profileNames::text[], :details::text[])
                   AS i(org_id, channel, from_recipient, pid, type, body, payload, context, received_at, profile_name,
                        details)
            ON CONFLICT DO NOTHING""";

    /** A later inbound message extends the window; an older one (out of order) never shortens it. */
    static final String OPEN_WINDOWS = """
            INSERT INTO whatsapp_session_window (org_id, phone_number, last_inbound_at, window_expires_at, updated_at)
            SELECT w.org_id, w.phone, w.last_at::timestamptz, w.last_at::timestamptz + interval '24 hours', :now
              FROM unnest(:orgs::text[], :phones::text[], :lastAt::text[]) AS w(org_id, phone, last_at)
            ON CONFLICT (org_id, phone_number) DO UPDATE
               SET last_inbound_at = greatest(whatsapp_session_window.last_inbound_at, EXCLUDED.last_inbound_at),
                   window_expires_at = greatest(whatsapp_session_window.window_expires_at, EXCLUDED.window_expires_at),
                   updated_at = EXCLUDED.updated_at""";
}
