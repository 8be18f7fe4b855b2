package io.whatsappoutbox.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SchemaNamesTest {
    final SchemaNames names = new SchemaNames("whatsapp_outbox");

    @Test
    void bareTableNamesAreQualifiedAndNothingElse() {
        assertThat(names.qualify("SELECT m.id FROM outbound_message m JOIN outbound_attempt a ON a.message_id = m.id"
                + " WHERE m.error_message IS NULL AND m.id = :message AND x.message = 1"))
                .isEqualTo("SELECT m.id FROM whatsapp_outbox.outbound_message m JOIN whatsapp_outbox.outbound_attempt a"
                        + " ON a.message_id = m.id WHERE m.error_message IS NULL AND m.id = :message AND x.message = 1");
        assertThat(names.qualify("CREATE INDEX outbound_message_claim ON outbound_message (org_id)"))
                .isEqualTo("CREATE INDEX outbound_message_claim ON whatsapp_outbox.outbound_message (org_id)");
        assertThat(names.qualify("INSERT INTO message (org_id) SELECT * FROM public.message"))
                .isEqualTo("INSERT INTO whatsapp_outbox.message (org_id) SELECT * FROM public.message");
        assertThat(names.qualify("INSERT INTO outbound_message(org_id) VALUES (:org)"))
                .isEqualTo("INSERT INTO whatsapp_outbox.outbound_message(org_id) VALUES (:org)");
    }

    @Test
    void literalsQuotedIdentifiersAndCommentsAreLeftAsTheyAre() {
        String sql = """
                -- each lane's last entry: the message table's newest
                UPDATE outbound_message SET error_message = 'superseded by message ' || :id, "message" = 'it''s message'
                 WHERE status = 'QUEUED'""";
        assertThat(names.qualify(sql)).isEqualTo("""
                -- each lane's last entry: the message table's newest
                UPDATE whatsapp_outbox.outbound_message SET error_message = 'superseded by message ' || :id, "message" = 'it''s message'
                 WHERE status = 'QUEUED'""");
    }

    @Test
    void theCurrentSchemaIsTheOutboxesAndAStatementIsQualifiedOnce() {
        String sql = "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()";
        assertThat(names.qualify(sql)).isEqualTo(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'whatsapp_outbox'");
        assertThat(names.qualify(sql)).isSameAs(names.qualify(sql));
    }

    @Test
    void aSchemaThatIsNotAPlainIdentifierIsRefused() {
        assertThatThrownBy(() -> new SchemaNames("x; DROP TABLE y")).hasMessageContaining("schema");
        assertThatThrownBy(() -> new SchemaNames("Outbox")).hasMessageContaining("schema");
    }
}
