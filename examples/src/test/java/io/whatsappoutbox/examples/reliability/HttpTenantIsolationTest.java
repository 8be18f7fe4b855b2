package io.whatsappoutbox.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.examples.demo.DemoHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo host's endpoints, its webhook and the operator CLI called by org B with org A's message
 * ids, key, recipient and wamid: 404, not found, or applied to B alone; org A's rows never change.
 */
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class HttpTenantIsolationTest {
    static final String A = DemoHost.ORGS.get(0);
    static final String B = DemoHost.ORGS.get(1);
    /** Every demo org's webhooks are signed with the demo app secret (DemoConfig's default). */
    static final Secret DEMO_APP_SECRET = Secret.of("demo-meta-app-secret");

    final DemoClient demo = new DemoClient();

    @Test
    void orgBIsRefusedOrgAsMessagesAndChangesNothingOfOrgA() throws Exception {
        // the simulator fails recipients ending 50-59 with 131000 and accepts 90-99 without receipts
        assertThat(demo.api("PUT", "/api/v1/consents/%2B33611110057", A, "{\"channel\":\"WHATSAPP\",\"granted\":true}")
                .status()).isEqualTo(200);
        assertThat(demo.api("PUT", "/api/v1/consents/%2B33611110096", A, "{\"channel\":\"WHATSAPP\",\"granted\":true}")
                .status()).isEqualTo(200);
        long dead = demo.host.outbox().enqueue(OutboundMessageRequest.whatsapp(A, "+33611110057")
                .template("newsletter", "fr").maxAttempts(1).idempotencyKey("iso-dead").build()).message().id();
        String body = "{\"channel\":\"WHATSAPP\",\"to\":\"+33611110096\",\"idempotencyKey\":\"iso-sent\","
                + "\"template\":{\"name\":\"newsletter\",\"language\":\"fr\"}}";
        long sent = demo.api("POST", "/api/v1/outbound/messages", A, body).body().path("id").asLong();
        Eventually.await("A's messages settled", Duration.ofSeconds(60), () -> status(A, dead).equals("FAILED")
                && status(A, sent).equals("SENT"));
        demo.awaitQuiet();
        String wamid = demo.host.outbox().find(A, sent).orElseThrow().providerMessageId();
        TableSnapshot orgA = TableSnapshot.ofOrg(demo.sql, A);
        int calls = 0;

        for (long id : new long[] {dead, sent}) {
            DemoClient.Answer view = demo.api("GET", "/api/v1/outbound/messages/" + id, B, null);
            DemoClient.Answer retry = demo.api("POST", "/api/v1/outbound/messages/" + id + "/retry", B, null);
            assertThat(List.of(view.status(), retry.status())).containsOnly(404);
            assertThat(view.fields()).containsExactly("id");
            assertThat(view.raw()).doesNotContain("+33611110", "iso-");
            DemoClient.Run cliRetry = demo.cli("retry", Long.toString(id), "--org", B, "--reason", "INC-9 probing", "--yes");
            DemoClient.Run cliCancel = demo.cli("cancel", Long.toString(id), "--org", B, "--reason", "INC-9 probing",
                    "--yes");
            assertThat(List.of(cliRetry.exitCode(), cliCancel.exitCode())).containsOnly(1);
            calls += 4;
        }
        assertThat(demo.cli("dlq", "retry", "--org", B, "--reason", "INC-9 probing", "--yes", "--pause", "0s").out())
                .contains("0 of 0 selected");
        DemoClient.Answer dashboard = demo.api("GET", "/api/v1/dashboard/outbound/health", B, null);
        assertThat(dashboard.body().path("channelMetrics").path("WHATSAPP").path("totalMessages").asLong()).isZero();
        assertThat(demo.api("GET", "/api/v1/dashboard/outbound/health", A, null).body().path("channelMetrics")
                .path("WHATSAPP").path("totalMessages").asLong()).isGreaterThanOrEqualTo(2);
        calls += 2;

        // B's own consent and message with A's recipient and key: B's rows, not A's
        assertThat(demo.api("PUT", "/api/v1/consents/%2B33611110096", B, "{\"channel\":\"WHATSAPP\",\"granted\":false}")
                .status()).isEqualTo(200);
        DemoClient.Answer bMessage = demo.api("POST", "/api/v1/outbound/messages", B, body);
        assertThat(bMessage.status()).isEqualTo(201);
        assertThat(bMessage.body().path("id").asLong()).isNotIn(dead, sent);
        assertThat(demo.host.outbox().consents().status(A, PhoneNumber.of("+33611110096"), Channel.WHATSAPP).name())
                .isEqualTo("GRANTED");

        // a receipt for A's wamid routed to B's number (validly signed for B) is ignored; unsigned for A is refused
        byte[] forB = webhook(DemoHost.PHONE_NUMBER_IDS.get(1), wamid);
        assertThat(demo.call("POST", "/webhooks/whatsapp", null, null, forB, MetaPayloads.signature(DEMO_APP_SECRET, forB))
                .status()).isEqualTo(200);
        byte[] forA = webhook(DemoHost.PHONE_NUMBER_IDS.get(0), wamid);
        assertThat(demo.call("POST", "/webhooks/whatsapp", null, null, forA, MetaPayloads.signature(
                Secret.of("app-secret-guessed"), forA)).status()).isEqualTo(401);
        calls += 2;
        LibraryLog.awaitLogged("Ignored a FAILED receipt for message " + sent);

        Eventually.await("B's message settled", Duration.ofSeconds(60),
                () -> !status(B, bMessage.body().path("id").asLong()).matches("QUEUED|SENDING"));
        assertThat(TableSnapshot.ofOrg(demo.sql, A)).as("org A's rows after org B's calls").isEqualTo(orgA);
        Figures.of("tenant-isolation-http-cli-webhook").put("callsWithAnotherOrgsIds", calls)
                .put("refused", calls).put("changesToTheOtherOrg", 0).write();
    }

    String status(String org, long id) {
        return demo.host.outbox().find(org, id).orElseThrow().status().name();
    }

    static byte[] webhook(String phoneNumberId, String wamid) {
        long ts = System.currentTimeMillis() / 1000;
        return MetaPayloads.envelope(MetaPayloads.entry(MetaPayloads.change(phoneNumberId, MetaPayloads.statuses(
                List.of(MetaPayloads.failedStatus(wamid, ts, "33611110096", 131026, "Message undeliverable"))))))
                .getBytes(StandardCharsets.UTF_8);
    }
}
