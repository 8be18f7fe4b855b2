package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.ScriptedProvider;
import io.whatsappoutbox.core.webhook.WebhookRequest;
import io.whatsappoutbox.core.webhook.WebhookResponse;
import io.whatsappoutbox.core.webhook.WebhookSink;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The real store behind both webhook handlers for the fuzz tests: org A with sent WhatsApp and SMS
 * messages, org B with a configuration only. Every fuzzed request is checked the same way: never a
 * 5xx, a refusal writes nothing, a forged signature is never accepted.
 */
final class WebhookFuzzFixture {
    static final String ORG_A = "org-fuzz-a";
    static final String ORG_B = "org-fuzz-b";
    static final String PHONE_ID_A = "100000000000011";
    static final String PHONE_ID_B = "100000000000012";
    static final Secret SECRET_A = Secret.of("app-secret-fuzz-org-a");
    static final Secret SECRET_B = Secret.of("app-secret-fuzz-org-b");
    static final Secret TWILIO_TOKEN = Secret.of("f00dfeedcafe1234beef5678deadc0de");
    static final String CALLBACK_URL = "https://app.example.com/webhooks/sms/status";
    static final int MESSAGES = 40;

    final HikariDataSource ds = TestDatabase.newMigratedDatabase();
    final JdbcOutbox outbox = JdbcOutbox.builder().dataSource(ds)
            .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
    final Sql sql = new Sql(ds);
    final Figures figures;
    /** Never started: its webhook processor applies the batches. */
    final Dispatcher dispatcher;

    WebhookFuzzFixture(String figuresName) {
        figures = Figures.of(figuresName);
        outbox.providerConfigs().save(ProviderConfig.of(ORG_A, PHONE_ID_A, Secret.of("EAAFuzzTokenOrgA1"), SECRET_A), "test");
        outbox.providerConfigs().save(ProviderConfig.of(ORG_B, PHONE_ID_B, Secret.of("EAAFuzzTokenOrgB2"), SECRET_B), "test");
        outbox.enqueueAll(IntStream.range(0, MESSAGES).mapToObj(i -> OutboundMessageRequest.whatsapp(ORG_A,
                Requests.phone(i)).template("appointment_reminder", "fr").idempotencyKey("wa-" + i).build()).toList());
        outbox.enqueueAll(IntStream.range(0, MESSAGES).mapToObj(i -> OutboundMessageRequest.sms(ORG_A,
                Requests.phone(i)).text("Rappel").idempotencyKey("sms-" + i).build()).toList());
        sql.update("UPDATE outbound_message SET status = 'SENT', provider = lower(channel), attempt_count = 1, sent_at = now(),"
                + " provider_message_id = CASE WHEN channel = 'WHATSAPP' THEN 'wamid.fuzz.' || id"
                + " ELSE 'SM' || md5(id::text) END");
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, ScriptedProvider.whatsapp())
                .provider(Channel.SMS, ScriptedProvider.sms()).build();
    }

    List<String> wamids() {
        return sql.rows("SELECT provider_message_id FROM outbound_message WHERE channel = 'WHATSAPP' ORDER BY id")
                .stream().map(r -> (String) r.get("provider_message_id")).toList();
    }

    List<String> sids() {
        return sql.rows("SELECT provider_message_id FROM outbound_message WHERE channel = 'SMS' ORDER BY id")
                .stream().map(r -> (String) r.get("provider_message_id")).toList();
    }

    WebhookSink sink() {
        return dispatcher.webhooks();
    }

    /**
     * Sends one fuzzed request and checks the three rules. {@code forged}: the signature was not
     * made with the org's secret over these exact bytes.
     */
    WebhookResponse check(String handler, Function<WebhookRequest, WebhookResponse> handle, WebhookRequest request,
            boolean forged) {
        TableSnapshot before = TableSnapshot.of(sql);
        WebhookResponse r = handle.apply(request);
        TableSnapshot after = TableSnapshot.of(sql);
        figures.add(handler + ".requests", 1).add(handler + ".status" + r.status(), 1);
        if (forged) {
            figures.add(handler + ".forged", 1).add(handler + ".forgedAccepted", r.status() == 200 ? 1 : 0);
        }
        if (r.status() != 200) {
            figures.add(handler + ".refusalsThatWrote", after.equals(before) ? 0 : 1);
        }
        assertThat(r.status()).as("never a 5xx without a store failure: %s", r.body()).isLessThan(500);
        if (forged) {
            assertThat(r.status()).as("a forged signature is never accepted").isNotEqualTo(200);
        }
        if (r.status() != 200) {
            assertThat(after).as("a refused request writes nothing").isEqualTo(before);
        }
        return r;
    }

    void close() {
        figures.write();
        dispatcher.close();
        outbox.close();
        ds.close();
    }
}
