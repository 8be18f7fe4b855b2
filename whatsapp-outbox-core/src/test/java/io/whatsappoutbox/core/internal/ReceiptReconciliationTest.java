package io.whatsappoutbox.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.DeliveryStatus;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.ErrorInfo;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.TestMessages;
import io.whatsappoutbox.core.internal.ReceiptReconciliation.Known;
import io.whatsappoutbox.core.store.WebhookDecisions;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ReceiptReconciliationTest {
    private static final Instant T0 = Instant.parse("2026-12-02T09:00:00Z");

    /** Retries every failure and remembers the provider it was asked about. */
    private static final class Recording implements WebhookDecisions {
        final List<String> providers = new ArrayList<>();

        @Override
        public FailedReceiptAction onFailedReceipt(OutboundMessage m, DeliveryReceipt r, String provider, Instant now) {
            providers.add(provider);
            return FailedReceiptAction.retryAt(new ErrorInfo(r.error().code(), "retry", ErrorCategory.TEMPORARY), now);
        }

        @Override
        public boolean isOptOut(InboundMessage message) {
            return false;
        }
    }

    private static OutboundMessage sent(long id, String org, String wamid) {
        OutboundMessage m = TestMessages.stored(id, OutboundMessageRequest.whatsapp(org, "+33612345678")
                .template("appointment_reminder", "fr", "lundi").build(), MessageStatus.SENT, T0);
        return new OutboundMessage(m.id(), m.orgId(), m.dossierId(), m.channel(), m.to(), m.content(), MessageStatus.SENT,
                m.idempotencyKey(), 1, m.maxAttempts(), 0, m.nextAttemptAt(), null, wamid, null, T0, T0, T0, null, null,
                null, null);
    }

    private static DeliveryReceipt receipt(String wamid, DeliveryStatus status, int secondsAfter) {
        return new DeliveryReceipt(Channel.WHATSAPP, wamid, status, T0.plusSeconds(secondsAfter),
                status == DeliveryStatus.FAILED ? ProviderError.of("131049", 400, "ecosystem") : null, "org-1");
    }

    private static ReceiptReconciliation over(OutboundMessage m, String provider, WebhookDecisions d) {
        return new ReceiptReconciliation(Map.of(ReceiptReconciliation.key(Channel.WHATSAPP, m.providerMessageId()),
                new Known(m, provider)), d, T0.plusSeconds(600));
    }

    @Property(tries = 200)
    void receiptsInAnyOrderLeaveTheFurthestStatusAndTheEarliestDeliveryTime(
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 300) Integer> deliveredAfter,
            @ForAll @IntRange(min = 1, max = 300) int readAfter, @ForAll boolean withRead, @ForAll long seed) {
        OutboundMessage m = sent(1, "org-1", "wamid.1");
        List<DeliveryReceipt> receipts = new ArrayList<>();
        deliveredAfter.forEach(s -> receipts.add(receipt("wamid.1", DeliveryStatus.DELIVERED, s)));
        if (withRead) {
            receipts.add(receipt("wamid.1", DeliveryStatus.READ, readAfter));
        }
        Collections.shuffle(receipts, new java.util.Random(seed));

        ReceiptReconciliation.Result r = over(m, "meta", new Recording()).reconcile(receipts);

        int earliest = Math.min(Collections.min(deliveredAfter), withRead ? readAfter : Integer.MAX_VALUE);
        assertThat(r.changes()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(withRead ? MessageStatus.READ : MessageStatus.DELIVERED);
            assertThat(c.deliveredAt()).isEqualTo(T0.plusSeconds(earliest));
            assertThat(c.readAt()).isEqualTo(withRead ? T0.plusSeconds(readAfter) : null);
        });
        assertThat(r.applied() + r.ignored()).isEqualTo(receipts.size());
        assertThat(r.applied()).isEqualTo(withRead ? 2 : 1);
        assertThat(r.deliveries()).singleElement().satisfies(d -> assertThat(d.messageId()).isEqualTo(1));
    }

    @Test
    void aFailedReceiptIsDecidedWithTheProviderThatAcceptedTheMessage() {
        Recording decisions = new Recording();
        ReceiptReconciliation.Result r = over(sent(1, "org-1", "wamid.1"), "failover-bsp", decisions)
                .reconcile(List.of(receipt("wamid.1", DeliveryStatus.FAILED, 5)));

        assertThat(decisions.providers).containsExactly("failover-bsp");
        assertThat(r.failed()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(MessageStatus.QUEUED);
            assertThat(c.failure().retry()).isTrue();
        });
    }

    @Test
    void aFailedReceiptAfterDeliveryDoesNotSendTheMessageAgain() {
        Recording decisions = new Recording();
        ReceiptReconciliation.Result r = over(sent(1, "org-1", "wamid.1"), "meta", decisions).reconcile(List.of(
                receipt("wamid.1", DeliveryStatus.FAILED, 9), receipt("wamid.1", DeliveryStatus.DELIVERED, 5)));

        assertThat(r.changes()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(c.failure()).isNull();
        });
        assertThat(r.ignored()).isEqualTo(1);
    }

    @Test
    void aReceiptSignedForAnotherOrgIsIgnoredBeforeDeduplication() {
        ReceiptReconciliation rec = over(sent(1, "org-2", "wamid.1"), "meta", new Recording());
        List<DeliveryReceipt> kept = rec.forTheirOrgs(List.of(receipt("wamid.1", DeliveryStatus.DELIVERED, 5)));

        assertThat(kept).isEmpty();
        assertThat(rec.reconcile(kept).ignored()).isEqualTo(1);
    }

    @Test
    void aReceiptForAnIdNotWrittenYetWaits() {
        ReceiptReconciliation.Result r = over(sent(1, "org-1", "wamid.1"), "meta", new Recording())
                .reconcile(List.of(receipt("wamid.unknown", DeliveryStatus.DELIVERED, 5)));

        assertThat(r.unknown()).extracting(DeliveryReceipt::providerMessageId).containsExactly("wamid.unknown");
        assertThat(r.changes()).isEmpty();
    }

    @Test
    void aReceiptOfTheOtherChannelNeverMovesAMessage() {
        DeliveryReceipt sms = new DeliveryReceipt(Channel.SMS, "wamid.1", DeliveryStatus.DELIVERED, T0.plusSeconds(5), null);
        ReceiptReconciliation.Result r = over(sent(1, "org-1", "wamid.1"), "meta", new Recording()).reconcile(List.of(sms));

        assertThat(r.changes()).isEmpty();
        assertThat(r.unknown()).containsExactly(sms);
    }
}
