package io.whatsappoutbox.examples.reliability;

import io.whatsappoutbox.jdbc.testing.Sql;
import java.util.Map;

/**
 * A fingerprint of everything the outbox stores: row counts of every table and a digest of each
 * message's status, error, attempts and receipts, and of each consent. Two equal snapshots mean
 * nothing was written in between.
 */
record TableSnapshot(Map<String, Object> values) {
    private static final String QUERY = """
            SELECT (SELECT count(*) FROM outbound_message) AS messages,
                   (SELECT coalesce(md5(string_agg(id || ':' || status || ':' || coalesce(error_code, '') || ':'
                           || attempt_count || ':' || deferral_count || ':' || coalesce(provider_message_id, '') || ':'
                           || coalesce(delivered_at::text, '') || ':' || coalesce(read_at::text, '') || ':'
                           || coalesce(operation_id::text, '') || ':' || updated_at::text, ',' ORDER BY id)), '')
                      FROM outbound_message) AS message_digest,
                   (SELECT count(*) FROM outbound_attempt) AS attempts,
                   (SELECT count(*) FROM message) AS inbound,
                   (SELECT count(*) FROM webhook_event) AS webhook_events,
                   (SELECT count(*) FROM pending_receipt) AS pending_receipts,
                   (SELECT coalesce(md5(string_agg(org_id || phone_number || channel || purpose || status || updated_at::text, ','
                           ORDER BY org_id, phone_number, channel, purpose)), '') FROM consentement) AS consent_digest,
                   (SELECT count(*) FROM whatsapp_session_window) AS session_windows,
                   (SELECT coalesce(md5(string_agg(org_id || messages_sent_count || coalesce(quota_limit::text, '')
                           || coalesce(throttle_until::text, '') || updated_at::text, ',' ORDER BY org_id)), '')
                      FROM whatsapp_rate_limit) AS quota_digest,
                   (SELECT coalesce(md5(string_agg(org_id || phone_number_id || enabled || updated_at::text
                           || coalesce(encode(webhook_secret_encrypted, 'hex'), ''), ',' ORDER BY org_id)), '')
                      FROM whatsapp_provider_config) AS config_digest,
                   (SELECT count(*) FROM outbox_audit) AS audit_rows""";

    /** One org's rows only: what another org's calls must never change. */
    private static final String ORG_QUERY = """
            SELECT (SELECT coalesce(md5(string_agg(id || ':' || status || ':' || coalesce(error_code, '') || ':'
                           || attempt_count || ':' || coalesce(next_attempt_at::text, '') || ':'
                           || coalesce(operation_id::text, '') || ':' || updated_at::text, ',' ORDER BY id)), '')
                      FROM outbound_message WHERE org_id = ?) AS messages,
                   (SELECT count(*) FROM outbound_attempt WHERE org_id = ?) AS attempts,
                   (SELECT coalesce(md5(string_agg(phone_number || channel || purpose || status || updated_at::text, ','
                           ORDER BY phone_number, channel, purpose)), '') FROM consentement WHERE org_id = ?) AS consents,
                   (SELECT coalesce(md5(string_agg(messages_sent_count || coalesce(quota_limit::text, '')
                           || coalesce(throttle_until::text, '') || updated_at::text, ',')), '')
                      FROM whatsapp_rate_limit WHERE org_id = ?) AS quota,
                   (SELECT coalesce(md5(string_agg(phone_number_id || enabled || updated_at::text
                           || coalesce(encode(webhook_secret_encrypted, 'hex'), ''), ',')), '')
                      FROM whatsapp_provider_config WHERE org_id = ?) AS config,
                   (SELECT count(*) FROM outbox_audit WHERE org_scope = ?) AS audit_rows""";

    static TableSnapshot of(Sql sql) {
        return new TableSnapshot(sql.rows(QUERY).get(0));
    }

    static TableSnapshot ofOrg(Sql sql, String org) {
        return new TableSnapshot(sql.rows(ORG_QUERY, org, org, org, org, org, org).get(0));
    }
}
