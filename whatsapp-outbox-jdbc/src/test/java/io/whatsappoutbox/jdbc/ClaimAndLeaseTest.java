package io.whatsappoutbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.store.AttemptResult;
import io.whatsappoutbox.core.store.ClaimShare;
import io.whatsappoutbox.core.store.ClaimedMessage;
import io.whatsappoutbox.core.store.CompletionReport;
import io.whatsappoutbox.core.store.DispatchStore;
import io.whatsappoutbox.core.testing.MutableClock;
import io.whatsappoutbox.jdbc.internal.JdbcDispatchStore;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Results;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClaimAndLeaseTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    HikariDataSource ds;
    MutableClock clock;
    JdbcOutbox outbox;
    DispatchStore store;
    Sql sql;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        clock = new MutableClock(T0);
        outbox = JdbcOutbox.builder().dataSource(ds).clock(clock).storeClock(StoreClock.CALLER).build();
        store = outbox.dispatchStore();
        sql = new Sql(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    void enqueue(String org, int from, int count) {
        List<OutboundMessageRequest> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            batch.add(Requests.template(org, i));
        }
        for (int i = 0; i < batch.size(); i += 1000) {
            outbox.enqueueAll(batch.subList(i, Math.min(batch.size(), i + 1000)));
        }
    }

    @Test
    void claimsDueMessagesUnderALeaseAndCountsTheAttempt() {
        enqueue("org-1", 0, 3);
        List<ClaimedMessage> claimed = store.claim("node-a:1", 10, Duration.ofMinutes(2), T0);
        assertThat(claimed).hasSize(3);
        assertThat(claimed).allSatisfy(c -> {
            assertThat(c.message().status()).isEqualTo(MessageStatus.SENDING);
            assertThat(c.message().attemptCount()).isEqualTo(1);
            assertThat(c.leaseOwner()).isEqualTo("node-a:1");
        });
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE status = 'SENDING' AND locked_by = 'node-a:1'"
                + " AND locked_until = ?", java.time.OffsetDateTime.parse("2026-11-28T10:02:00Z"))).isEqualTo(3);
        assertThat(store.claim("node-b:1", 10, Duration.ofMinutes(2), T0)).isEmpty();
    }

    @Test
    void claimedContentComesBackAsItWasEnqueuedWhateverItsCharacters() {
        String body = "Bonjour Léa, à demain 9h \"salle 2\" \u2014 \uD83D\uDC4B\n\u65E5\u672C";
        outbox.enqueue(Requests.text("org-1", 1, body));
        List<ClaimedMessage> claimed = store.claim("node-a:1", 10, Duration.ofMinutes(2), T0);
        assertThat(claimed).singleElement()
                .satisfies(c -> assertThat(c.message().content()).isEqualTo(new MessageContent.Text(body, false)));
    }

    @Test
    void aFailedClaimIsAStoreErrorAndLeavesEveryMessageQueued() {
        enqueue("org-1", 0, 3);
        sql.update("ALTER TABLE consentement RENAME TO consentement_gone");
        assertThatThrownBy(() -> store.claim("node-a:1", 10, Duration.ofMinutes(2), T0))
                .isInstanceOf(JdbcOutbox.OutboxStoreException.class)
                .hasMessageStartingWith("claim failed");
        assertThat(sql.statusCounts()).containsEntry("QUEUED", 3L).doesNotContainKey("SENDING");
        sql.update("ALTER TABLE consentement_gone RENAME TO consentement");
        assertThat(store.claim("node-a:1", 10, Duration.ofMinutes(2), T0)).hasSize(3);
    }

    @Test
    void leavesScheduledMessagesAlone() {
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", "+33612345678").template("appointment_reminder", "fr")
                .notBefore(T0.plusSeconds(60)).idempotencyKey("later").build());
        assertThat(store.claim("a", 10, Duration.ofMinutes(1), T0)).isEmpty();
        assertThat(store.claim("a", 10, Duration.ofMinutes(1), T0.plusSeconds(60))).hasSize(1);
    }

    @Test
    void readsConsentWindowAndSenderWithTheClaim() {
        outbox.consents().grant("org-1", io.whatsappoutbox.core.PhoneNumber.of(Requests.phone(1)),
                io.whatsappoutbox.core.Channel.WHATSAPP, "web form", "test");
        sql.update("INSERT INTO whatsapp_session_window VALUES ('org-1', ?, ?, ?, ?)", Requests.phone(1),
                java.time.OffsetDateTime.parse("2026-11-28T09:00:00Z"), java.time.OffsetDateTime.parse("2026-11-29T09:00:00Z"),
                java.time.OffsetDateTime.parse("2026-11-28T09:00:00Z"));
        sql.update("INSERT INTO whatsapp_provider_config (org_id, phone_number_id, messages_per_second, created_at, updated_at)"
                + " VALUES ('org-1', '100000000000001', 40, now(), now())");
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(1)).text("Your visit is confirmed")
                .idempotencyKey("free-form").build());
        enqueue("org-1", 2, 1);
        List<ClaimedMessage> claimed = store.claim("a", 10, Duration.ofMinutes(1), T0);
        ClaimedMessage first = claimed.stream().filter(c -> c.message().to().value().equals(Requests.phone(1))).findFirst().orElseThrow();
        assertThat(first.consent()).isEqualTo(io.whatsappoutbox.core.ConsentStatus.GRANTED);
        assertThat(first.window().isOpenAt(T0)).isTrue();
        assertThat(first.senderId()).isEqualTo("100000000000001");
        assertThat(first.senderMessagesPerSecond()).isEqualTo(40);
        ClaimedMessage second = claimed.stream().filter(c -> c != first).findFirst().orElseThrow();
        assertThat(second.consent()).isEqualTo(io.whatsappoutbox.core.ConsentStatus.UNKNOWN);
        assertThat(second.window().lastInboundAt()).isNull();
    }

    @Test
    void eachClaimedMessageGetsTheConsentOfItsOwnOrgRecipientAndChannel() {
        // the batch's consents are read as one superset (its orgs x recipients x channels): a row of
        // another org, or of the same recipient on the other channel, must not reach a message
        PhoneNumber shared = PhoneNumber.of(Requests.phone(1));
        PhoneNumber other = PhoneNumber.of(Requests.phone(2));
        outbox.consents().grant("org-1", shared, Channel.WHATSAPP, "web form", "test");
        outbox.consents().revoke("org-2", shared, Channel.WHATSAPP, "STOP", "test");
        outbox.consents().revoke("org-1", shared, Channel.SMS, "STOP", "test");
        outbox.consents().grant("org-2", other, Channel.WHATSAPP, "web form", "test");
        Map<String, ConsentStatus> expected = Map.of(
                "org-1/" + shared.value() + "/WHATSAPP", ConsentStatus.GRANTED,
                "org-2/" + shared.value() + "/WHATSAPP", ConsentStatus.REVOKED,
                "org-1/" + shared.value() + "/SMS", ConsentStatus.REVOKED,
                "org-2/" + other.value() + "/WHATSAPP", ConsentStatus.GRANTED,
                "org-1/" + other.value() + "/WHATSAPP", ConsentStatus.UNKNOWN,
                "org-2/" + shared.value() + "/SMS", ConsentStatus.UNKNOWN);
        int key = 0;
        for (String lane : expected.keySet()) {
            String[] p = lane.split("/");
            OutboundMessageRequest.Builder b = p[2].equals("SMS") ? OutboundMessageRequest.sms(p[0], p[1])
                    : OutboundMessageRequest.whatsapp(p[0], p[1]);
            outbox.enqueue(b.text("Your visit is confirmed").idempotencyKey("k" + key++).build());
        }

        List<ClaimedMessage> claimed = store.claim("a", 50, Duration.ofMinutes(1), T0);

        assertThat(claimed).hasSize(expected.size());
        for (ClaimedMessage c : claimed) {
            String lane = c.message().orgId() + "/" + c.message().to().value() + "/" + c.message().channel();
            assertThat(c.consent()).as(lane).isEqualTo(expected.get(lane));
        }
    }

    @Test
    void aConsentChangedAfterItWasGrantedReachesTheNextClaim() {
        // the claim reads the status from the consent key's index: a revocation must show there
        PhoneNumber customer = PhoneNumber.of(Requests.phone(1));
        outbox.consents().grant("org-1", customer, Channel.WHATSAPP, "web form", "test");
        outbox.consents().revoke("org-1", customer, Channel.WHATSAPP, "STOP", "test");
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", customer.value()).text("Your visit is confirmed")
                .idempotencyKey("after-stop").build());

        assertThat(store.claim("a", 10, Duration.ofMinutes(1), T0)).singleElement()
                .satisfies(c -> assertThat(c.consent()).isEqualTo(ConsentStatus.REVOKED));
    }

    @Test
    void readsTheWindowOnlyForFreeFormMessages() {
        for (int i = 1; i <= 2; i++) {
            sql.update("INSERT INTO whatsapp_session_window VALUES ('org-1', ?, ?, ?, ?)", Requests.phone(i),
                    java.time.OffsetDateTime.parse("2026-11-28T09:00:00Z"),
                    java.time.OffsetDateTime.parse("2026-11-29T09:00:00Z"),
                    java.time.OffsetDateTime.parse("2026-11-28T09:00:00Z"));
        }
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", Requests.phone(1)).text("Your visit is confirmed")
                .idempotencyKey("free-form").build());
        enqueue("org-1", 2, 1);
        List<ClaimedMessage> claimed = store.claim("a", 10, Duration.ofMinutes(1), T0);
        assertThat(claimed).hasSize(2);
        for (ClaimedMessage c : claimed) {
            boolean template = !c.message().content().isFreeForm();
            // a template goes out whatever the window: the claim does not look it up
            assertThat(c.window().lastInboundAt() == null).as("window left unread for %s", c.message().content().type())
                    .isEqualTo(template);
        }
    }

    @Test
    void fourClaimersDrainTwentyThousandMessagesEachClaimedOnceNoneLost() throws Exception {
        enqueue("org-1", 0, 12_000);
        enqueue("org-2", 0, 8_000);
        Map<Long, AtomicInteger> claims = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            String node = "node-" + w;
            workers.add(pool.submit(() -> {
                int done = 0;
                for (int batch = 0; ; batch++) {
                    List<ClaimedMessage> claimed = store.claim(node + ":" + batch, 200, Duration.ofMinutes(5), T0);
                    if (claimed.isEmpty()) {
                        return done;
                    }
                    List<AttemptResult> results = new ArrayList<>();
                    for (ClaimedMessage c : claimed) {
                        claims.computeIfAbsent(c.message().id(), id -> new AtomicInteger()).incrementAndGet();
                        results.add(Results.sent(c, T0));
                    }
                    CompletionReport report = store.complete(results, Results.DECISIONS, T0);
                    assertThat(report.refused()).isEmpty();
                    done += claimed.size();
                }
            }));
        }
        int total = 0;
        for (Future<Integer> f : workers) {
            total += f.get();
        }
        pool.shutdown();
        assertThat(total).isEqualTo(20_000);
        assertThat(claims).hasSize(20_000);
        assertThat(claims.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 20_000L));
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt WHERE outcome = 'SENT'")).isEqualTo(20_000);
        assertThat(sql.count("SELECT count(DISTINCT provider_message_id) FROM outbound_message")).isEqualTo(20_000);
    }

    @Test
    void anExpiredLeaseIsRecoveredAndTheLateWritersResultRefused() {
        enqueue("org-1", 0, 1);
        ClaimedMessage first = store.claim("slow:1", 10, Duration.ofMinutes(1), T0).get(0);
        // the lease runs out while the slow node is still waiting for the provider
        assertThat(store.recoverExpiredLeases(T0.plusSeconds(30), 100)).isZero();
        assertThat(store.recoverExpiredLeases(T0.plusSeconds(61), 100)).isEqualTo(1);
        ClaimedMessage second = store.claim("fast:1", 10, Duration.ofMinutes(1), T0.plusSeconds(62)).get(0);
        assertThat(second.message().attemptCount()).isEqualTo(2);

        CompletionReport late = store.complete(List.of(Results.dead(first, T0.plusSeconds(70))), Results.DECISIONS, T0.plusSeconds(70));
        assertThat(late.refused()).containsExactly(first.message().id());
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENDING");

        CompletionReport current = store.complete(List.of(Results.sent(second, T0.plusSeconds(71))), Results.DECISIONS, T0.plusSeconds(71));
        assertThat(current.refused()).isEmpty();
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
        // both attempts stay in the history, the refused one included
        assertThat(sql.rows("SELECT outcome, lease_owner FROM outbound_attempt ORDER BY id"))
                .extracting(r -> r.get("outcome") + "/" + r.get("lease_owner"))
                .containsExactly("DEAD_LETTER/slow:1", "SENT/fast:1");
    }

    @Test
    void aLateAcceptStillCountsWhenNobodyClaimedTheMessageAgain() {
        enqueue("org-1", 0, 1);
        ClaimedMessage first = store.claim("slow:1", 10, Duration.ofMinutes(1), T0).get(0);
        store.recoverExpiredLeases(T0.plusSeconds(61), 100);
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("QUEUED");
        CompletionReport late = store.complete(List.of(Results.sent(first, T0.plusSeconds(65))), Results.DECISIONS, T0.plusSeconds(65));
        assertThat(late.refused()).isEmpty();
        assertThat(sql.one("SELECT status FROM outbound_message")).isEqualTo("SENT");
        assertThat(store.claim("other:1", 10, Duration.ofMinutes(1), T0.plusSeconds(66))).as("not sent twice").isEmpty();
    }

    @Test
    void aMessageWhoseLeasesKeepExpiringEndsInTheDeadLetter() {
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-1", "+33612345678").template("appointment_reminder", "fr")
                .maxAttempts(2).idempotencyKey("poison").build());
        Instant t = T0;
        for (int i = 0; i < 2; i++) {
            assertThat(store.claim("crashing:" + i, 10, Duration.ofMinutes(1), t)).hasSize(1);
            t = t.plusSeconds(61);
            assertThat(store.recoverExpiredLeases(t, 100)).isEqualTo(1);
        }
        assertThat(sql.rows("SELECT status, error_code, error_category FROM outbound_message").get(0))
                .containsEntry("status", "FAILED").containsEntry("error_code", "LEASE_EXPIRED")
                .containsEntry("error_category", "TEMPORARY");
    }

    @Test
    void reschedulesWithAndWithoutSpendingTheAttempt() {
        enqueue("org-1", 0, 2);
        List<ClaimedMessage> claimed = store.claim("a:1", 10, Duration.ofMinutes(1), T0);
        store.complete(List.of(Results.retry(claimed.get(0), T0, T0.plusSeconds(10)),
                Results.deferred(claimed.get(1), T0, T0.plusSeconds(20))), Results.DECISIONS, T0);
        List<Map<String, Object>> rows = sql.rows("SELECT status, attempt_count, deferral_count, error_code FROM outbound_message ORDER BY id");
        assertThat(rows.get(0)).containsEntry("status", "QUEUED").containsEntry("attempt_count", 1)
                .containsEntry("deferral_count", 0).containsEntry("error_code", "131000");
        assertThat(rows.get(1)).containsEntry("status", "QUEUED").containsEntry("attempt_count", 0)
                .containsEntry("deferral_count", 1).containsEntry("error_code", "130429");
        assertThat(store.claim("a:2", 10, Duration.ofMinutes(1), T0.plusSeconds(9))).isEmpty();
        assertThat(store.claim("a:3", 10, Duration.ofMinutes(1), T0.plusSeconds(10))).hasSize(1);
    }

    @Test
    void aNewMessageOfAnotherOrgIsNotStuckBehindABacklog() {
        // the scale: one org's backlog of 100,000 messages, enqueued before the other's
        enqueue("org-a", 0, 100_000);
        clock.advance(Duration.ofSeconds(1));
        outbox.enqueue(Requests.template("org-b", 1));
        List<ClaimedMessage> first = store.claim("a:1", 100, Duration.ofMinutes(1), T0.plusSeconds(2));
        assertThat(first).extracting(c -> c.message().orgId()).contains("org-b");
        assertThat(first).hasSizeGreaterThanOrEqualTo(50);
    }

    /** A message due before the others of its lane, enqueued after a claim took from that lane. */
    long enqueueLateCommitted(String org, int n) {
        clock.set(T0.minusSeconds(30));
        long id = outbox.enqueue(Requests.template(org, n)).message().id();
        clock.set(T0);
        return id;
    }

    static List<Long> ids(List<ClaimedMessage> claimed) {
        return claimed.stream().map(c -> c.message().id()).toList();
    }

    /** When a backlog enqueued at T0 is claimed: far enough behind for its lanes to be marked. */
    static final Instant BEHIND = T0.plus(JdbcDispatchStore.MARK_MIN_LAG);
    static final Duration LEASE = Duration.ofMinutes(2);

    @Test
    void aMessageThatBecomesDueBehindALanesMarkWaitsAtMostTheMarksLifetime() {
        enqueue("org-1", 0, 20);
        assertThat(store.claim("a:1", 4, LEASE, BEHIND)).hasSize(4);
        long late = enqueueLateCommitted("org-1", 100);
        // full claims within the mark's lifetime start at the mark (and do not prolong its life)
        assertThat(ids(store.claim("a:2", 4, LEASE, BEHIND.plusMillis(400)))).hasSize(4).doesNotContain(late);
        assertThat(ids(store.claim("a:3", 4, LEASE, BEHIND.plusMillis(800)))).hasSize(4).doesNotContain(late);
        // then the lane is read from its head again, where the late message comes first
        assertThat(ids(store.claim("a:4", 4, LEASE, BEHIND.plus(JdbcDispatchStore.MARK_LIFETIME))))
                .first().isEqualTo(late);
    }

    @Test
    void aLaneThatRunsShortAboveItsMarkIsReadFromItsHeadAtTheNextClaim() {
        enqueue("org-1", 0, 6);
        assertThat(store.claim("a:1", 4, LEASE, BEHIND)).hasSize(4);
        long late = enqueueLateCommitted("org-1", 100);
        assertThat(ids(store.claim("a:2", 4, LEASE, BEHIND.plusMillis(10)))).hasSize(2).doesNotContain(late);
        assertThat(ids(store.claim("a:3", 4, LEASE, BEHIND.plusMillis(20)))).containsExactly(late);
    }

    @Test
    void aLaneThatKeepsUpIsNotMarked() {
        // claimed as soon as enqueued: its own host transactions may still be committing behind it
        enqueue("org-1", 0, 20);
        assertThat(store.claim("a:1", 4, LEASE, T0)).hasSize(4);
        long late = enqueueLateCommitted("org-1", 100);
        assertThat(ids(store.claim("a:2", 4, LEASE, T0.plusMillis(10)))).first().isEqualTo(late);
    }

    @Test
    void eachLaneHasItsOwnMark() {
        enqueue("org-a", 0, 20);
        enqueue("org-b", 100, 2);
        // two lanes, a share of four each: org-a gives its share and is marked, org-b gives two and is not
        assertThat(store.claim("a:1", 8, LEASE, BEHIND)).hasSize(6);
        long lateA = enqueueLateCommitted("org-a", 200);
        long lateB = enqueueLateCommitted("org-b", 300);
        assertThat(ids(store.claim("a:2", 8, LEASE, BEHIND.plusMillis(10)))).hasSize(5).contains(lateB)
                .doesNotContain(lateA);
        assertThat(ids(store.claim("a:3", 8, LEASE, BEHIND.plus(JdbcDispatchStore.MARK_LIFETIME)))).contains(lateA);
    }

    @Test
    void aThrottledOrgIsSkippedWithoutSlowingOthers() {
        enqueue("org-a", 0, 10);
        enqueue("org-b", 100, 10);
        store.throttle("org-a", io.whatsappoutbox.core.Channel.WHATSAPP, T0.plusSeconds(30), T0);
        List<ClaimedMessage> claimed = store.claim("a:1", 100, Duration.ofMinutes(1), T0);
        assertThat(claimed).hasSize(10).allSatisfy(c -> assertThat(c.message().orgId()).isEqualTo("org-b"));
        assertThat(store.claim("a:2", 100, Duration.ofMinutes(1), T0.plusSeconds(31))).hasSize(10);
    }

    @Test
    void rotatesBetweenLanesWhenThereAreMoreThanOneClaimCanVisit() {
        // more lanes than the claim visits at once: every lane is still served in turn
        int lanes = 600;
        List<OutboundMessageRequest> batch = IntStream.range(0, lanes)
                .mapToObj(i -> Requests.template(String.format("org-%04d", i), i)).toList();
        outbox.enqueueAll(batch);
        int claimed = 0;
        for (int i = 0; i < 10 && claimed < lanes; i++) {
            claimed += store.claim("a:" + i, 100, Duration.ofMinutes(1), T0).size();
        }
        assertThat(claimed).isEqualTo(lanes);
    }

    @Test
    void twoClaimThreadsTakeDisjointLanesAndTogetherServeEveryLane() {
        for (int org = 0; org < 4; org++) {
            enqueue("org-" + org, org * 1000, 300);
        }
        List<ClaimedMessage> first = store.claim("a:1", 200, Duration.ofMinutes(1), T0, new ClaimShare(0, 2));
        List<ClaimedMessage> second = store.claim("b:1", 200, Duration.ofMinutes(1), T0, new ClaimShare(1, 2));
        java.util.Set<String> firstOrgs = orgs(first);
        java.util.Set<String> secondOrgs = orgs(second);
        assertThat(firstOrgs).hasSize(2).doesNotContainAnyElementsOf(secondOrgs);
        assertThat(secondOrgs).hasSize(2);
        // a whole batch each, from its own two lanes
        assertThat(first).hasSize(200);
        assertThat(second).hasSize(200);
    }

    @Test
    void theLanesChangeHandsEverySecondSoAnOddLaneCountFavoursNone() {
        for (int org = 0; org < 3; org++) {
            enqueue("org-" + org, org * 1000, 600);
        }
        java.util.Set<String> now = orgs(store.claim("a:1", 100, Duration.ofMinutes(1), T0, new ClaimShare(0, 2)));
        java.util.Set<String> nextSecond = orgs(store.claim("a:2", 100, Duration.ofMinutes(1), T0.plusSeconds(1),
                new ClaimShare(0, 2)));
        assertThat(now).doesNotContainAnyElementsOf(nextSecond);
        assertThat(now.size() + nextSecond.size()).isEqualTo(3);
    }

    @Test
    void aShareWithoutLanesTakesFromEveryLane() {
        enqueue("org-a", 0, 10);
        // one lane, two claim threads: the second one has no lane of its own
        assertThat(store.claim("a:1", 4, Duration.ofMinutes(1), T0, new ClaimShare(0, 2))).hasSize(4);
        assertThat(store.claim("b:1", 4, Duration.ofMinutes(1), T0, new ClaimShare(1, 2))).hasSize(4);
    }

    @Test
    void aShareWhoseLanesHoldNothingDueTakesTheOtherDueLanes() {
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-a", Requests.phone(1)).template("appointment_reminder", "fr")
                .notBefore(T0.plusSeconds(3600)).idempotencyKey("tomorrow").build());
        enqueue("org-b", 100, 5);
        // org-a ranks first: at T0 (an even second) it falls to share 0, whose only lane is not due
        List<ClaimedMessage> claimed = store.claim("a:1", 10, Duration.ofMinutes(1), T0, new ClaimShare(0, 2));
        assertThat(claimed).hasSize(5).allSatisfy(c -> assertThat(c.message().orgId()).isEqualTo("org-b"));
    }

    @Test
    void aLaneWhoseNewestMessageIsScheduledLaterStillGivesUpItsDueOnes() {
        enqueue("org-a", 0, 5);
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-a", Requests.phone(99))
                .template("appointment_reminder", "fr").notBefore(T0.plusSeconds(3600))
                .idempotencyKey("tomorrow").build());
        // the walk reads the lane's newest message, not due: the lane is still due for its first five
        assertThat(store.claim("a:1", 10, Duration.ofMinutes(1), T0)).hasSize(5);
    }

    @Test
    void aMarkedLaneWhoseNewestMessageIsScheduledLaterStillGivesUpItsDueOnes() {
        enqueue("org-a", 0, 8);
        outbox.enqueue(OutboundMessageRequest.whatsapp("org-a", Requests.phone(99))
                .template("appointment_reminder", "fr").notBefore(T0.plusSeconds(3600))
                .idempotencyKey("tomorrow").build());
        assertThat(store.claim("a:1", 4, LEASE, BEHIND)).hasSize(4);
        // the probe for the lane's first due message starts at the mark, and finds the other four
        assertThat(store.claim("a:2", 4, LEASE, BEHIND.plusMillis(10))).hasSize(4);
    }

    @Test
    void lanesWithNothingDueDoNotShrinkTheBatchOfTheDueOne() {
        List<OutboundMessageRequest> later = IntStream.range(0, 99)
                .mapToObj(i -> OutboundMessageRequest.whatsapp(String.format("org-%03d", i), Requests.phone(i))
                        .template("appointment_reminder", "fr").notBefore(T0.plusSeconds(3600))
                        .idempotencyKey("later-" + i).build())
                .toList();
        outbox.enqueueAll(later);
        enqueue("org-due", 1000, 300);
        // 100 lanes, one due: that one gets the whole batch, not ceil(200 / 100) = 2
        assertThat(store.claim("a:1", 200, Duration.ofMinutes(1), T0)).hasSize(200);
    }

    private static java.util.Set<String> orgs(List<ClaimedMessage> claimed) {
        return claimed.stream().map(c -> c.message().orgId()).collect(java.util.stream.Collectors.toSet());
    }
}
