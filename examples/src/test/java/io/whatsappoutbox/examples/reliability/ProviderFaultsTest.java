package io.whatsappoutbox.examples.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.zaxxer.hikari.HikariDataSource;
import io.whatsappoutbox.core.dispatch.CircuitBreakerSettings;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.RetryPolicy;
import io.whatsappoutbox.core.Secret;
import io.whatsappoutbox.core.dispatch.Dispatcher;
import io.whatsappoutbox.core.testing.Eventually;
import io.whatsappoutbox.jdbc.EncryptionKeys;
import io.whatsappoutbox.jdbc.JdbcOutbox;
import io.whatsappoutbox.jdbc.ProviderConfig;
import io.whatsappoutbox.core.testing.Requests;
import io.whatsappoutbox.jdbc.testing.Sql;
import io.whatsappoutbox.jdbc.testing.TestDatabase;
import io.whatsappoutbox.meta.MetaCloudProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Meta provider over HTTP against a misbehaving Graph API (WireMock): every fault ends with the
 * message sent or dead-lettered for its reason, every call is recorded as an attempt, a rate limit
 * or an open circuit costs no attempt, and closing the dispatcher and the provider leaves no thread.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProviderFaultsTest {
    static final String ORG = "org-faults";
    static final String PHONE_NUMBER_ID = "100000000000055";
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Map<String, Object> FIGURES = new TreeMap<>();

    @RegisterExtension
    static WireMockExtension graph = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().containerThreads(32)).build();

    HikariDataSource ds;
    JdbcOutbox outbox;
    Sql sql;
    ThreadCensus census;
    MetaCloudProvider meta;
    Dispatcher dispatcher;

    @BeforeEach
    void start() {
        ds = TestDatabase.newMigratedDatabase();
        outbox = JdbcOutbox.builder().dataSource(ds)
                .encryptionKeys(EncryptionKeys.fromBase64("k1", EncryptionKeys.generateBase64Key())).build();
        outbox.providerConfigs().save(ProviderConfig.of(ORG, PHONE_NUMBER_ID, Secret.of("EAAFaultsToken0099"),
                Secret.of("app-secret-faults")), "reliability-test");
        sql = new Sql(ds);
        graph.stubFor(post(urlPathMatching("/v23.0/.*/messages")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"x\",\"wa_id\":\"x\"}],"
                        + "\"messages\":[{\"id\":\"wamid.{{randomValue length=24 type='ALPHANUMERIC'}}\"}]}")
                .withTransformers("response-template")));
        census = ThreadCensus.take();
        meta = MetaCloudProvider.builder().accounts(outbox.providerConfigs()).baseUrl(graph.baseUrl())
                .connectTimeout(Duration.ofMillis(1000)).readTimeout(Duration.ofMillis(1000))
                .callTimeout(Duration.ofMillis(1000)).build();
        dispatcher = outbox.dispatcher().provider(Channel.WHATSAPP, meta).messagesPerSecond(10_000)
                .retryPolicy(RetryPolicy.builder().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(100))
                        .throttleBase(Duration.ofMillis(100)).throttleCap(Duration.ofMillis(500)).build())
                .circuitBreaker(CircuitBreakerSettings.defaults().withSlidingWindow(10, 5)
                        .withOpenFor(Duration.ofMillis(500)).withHalfOpenProbes(2))
                .batchSize(20).concurrency(4).lease(Duration.ofSeconds(10)).closeTimeout(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).maintenanceInterval(Duration.ofMillis(200)).instanceId("faults")
                .build();
        dispatcher.start();
    }

    @AfterEach
    void stop(TestInfo test) {
        dispatcher.close();
        meta.close();
        List<String> left = census.leftAfterClose(Duration.ofSeconds(20));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("providerCalls", graph.getAllServeEvents().size());
        f.put("attempts", attemptCounts());
        f.put("statuses", sql.statusCounts());
        f.put("threadsBefore", census.countBefore());
        f.put("threadsLeftAfterClose", left.size());
        FIGURES.put(test.getTestMethod().orElseThrow().getName(), f);
        graph.resetAll();
        ds.close();
        assertThat(left).as("threads the dispatcher or the provider left behind").isEmpty();
    }

    @AfterAll
    static void figures() {
        Figures all = Figures.of("provider-faults");
        FIGURES.forEach(all::put);
        all.write();
    }

    /** Enqueues n template messages to recipients from {@code first}, with consent. */
    List<Long> enqueue(int first, int n) {
        return IntStream.range(first, first + n).mapToObj(i -> {
            outbox.consents().grant(ORG, PhoneNumber.of(Requests.phone(i)), Channel.WHATSAPP, "test", "test");
            return outbox.enqueue(OutboundMessageRequest.whatsapp(ORG, Requests.phone(i))
                    .template("appointment_reminder", "fr", "lundi").maxAttempts(10).idempotencyKey("f-" + i).build())
                    .message().id();
        }).toList();
    }

    /** The first {@code times} sends to {@code phone} get {@code fault}; later ones the default answer. */
    static void firstCallsFail(String phone, int times, ResponseDefinitionBuilder fault) {
        for (int i = 0; i < times; i++) {
            graph.stubFor(post(urlPathMatching("/v23.0/.*/messages")).atPriority(1)
                    .inScenario(phone).whenScenarioStateIs(i == 0 ? STARTED : "failed-" + i)
                    .withRequestBody(matchingJsonPath("$.to", equalTo(phone)))
                    .willReturn(fault).willSetStateTo("failed-" + (i + 1)));
        }
    }

    void awaitSettled(List<Long> ids) {
        Eventually.await("messages settled", WAIT, () -> sql.count(
                "SELECT count(*) FROM outbound_message WHERE status IN ('SENT', 'FAILED')") == ids.size());
    }

    Map<String, Long> attemptCounts() {
        Map<String, Long> out = new TreeMap<>();
        sql.rows("SELECT outcome || '/' || coalesce(error_code, '-') AS k, count(*) AS n FROM outbound_attempt GROUP BY 1")
                .forEach(r -> out.put((String) r.get("k"), ((Number) r.get("n")).longValue()));
        return out;
    }

    /** Every provider call is an attempt row naming the provider; only deferrals cost no attempt. */
    void assertEveryCallRecordedAndOnlyRealAttemptsSpent() {
        assertThat(sql.count("SELECT count(*) FROM outbound_attempt WHERE provider IS NOT NULL"))
                .as("attempt rows with a provider call").isEqualTo(graph.getAllServeEvents().size());
        assertThat(sql.count("""
                SELECT count(*) FROM outbound_message m
                 WHERE m.attempt_count <> (SELECT count(*) FROM outbound_attempt a
                                            WHERE a.message_id = m.id AND a.outcome IN ('SENT', 'RETRY', 'DEAD_LETTER'))"""))
                .as("messages whose attempt count differs from their spent attempts").isZero();
    }

    @Test
    void callsSlowerThanTheCallTimeoutAreRecordedAsTimeoutsAndRetried() {
        IntStream.range(0, 10).forEach(i -> firstCallsFail(Requests.phone(i), 1,
                aResponse().withStatus(200).withFixedDelay(3000).withBody("{}")));
        List<Long> ids = enqueue(0, 10);
        awaitSettled(ids);
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 10L));
        // on a loaded machine a normal answer may time out too: at least the slow one of each did
        assertThat(sql.count("SELECT count(DISTINCT message_id) FROM outbound_attempt WHERE outcome = 'RETRY'"
                + " AND error_code = 'TIMEOUT'")).isEqualTo(10);
        assertThat(attemptCounts()).containsEntry("SENT/-", 10L);
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
    }

    @Test
    void aStormOf5xxOpensTheCircuitDefersWithoutSpendingAttemptsThenEverythingIsSent() {
        StubMapping storm = graph.stubFor(post(urlPathMatching("/v23.0/.*/messages")).atPriority(1)
                .willReturn(aResponse().withStatus(503).withBody("upstream connect error or disconnect/reset")));
        List<Long> ids = enqueue(100, 30);
        // an open circuit defers before any call: no attempt row, the message carries the deferral
        Eventually.await("the circuit opened", WAIT, () -> sql.count("SELECT count(*) FROM outbound_message"
                + " WHERE error_code = 'PROVIDER_UNAVAILABLE' AND deferral_count > 0") >= 5);
        long deferredByTheCircuit = sql.count("SELECT count(*) FROM outbound_message WHERE deferral_count > 0");
        graph.removeStub(storm);
        awaitSettled(ids);
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 30L));
        assertThat(attemptCounts()).containsKey("RETRY/HTTP_503").doesNotContainKey("DEFERRED/PROVIDER_UNAVAILABLE");
        assertThat(deferredByTheCircuit).isPositive();
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
        LibraryLog.awaitLogged("circuit State transition from CLOSED to OPEN");
        LibraryLog.awaitLogged("circuit State transition from HALF_OPEN to CLOSED");
    }

    @Test
    void connectionResetsAndCutAnswersAreRecordedAsNetworkErrorsAndRetried() {
        Fault[] faults = {Fault.CONNECTION_RESET_BY_PEER, Fault.EMPTY_RESPONSE, Fault.RANDOM_DATA_THEN_CLOSE};
        IntStream.range(0, 12).forEach(i -> firstCallsFail(Requests.phone(200 + i), 2,
                aResponse().withFault(faults[i % faults.length])));
        List<Long> ids = enqueue(200, 12);
        awaitSettled(ids);
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 12L));
        assertThat(attemptCounts()).containsEntry("RETRY/NETWORK_ERROR", 24L).containsEntry("SENT/-", 12L);
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
    }

    @Test
    void garbageBodiesAreRecordedAsUnreadableOrHttpErrorsAndRetried() {
        ResponseDefinitionBuilder[] garbage = {
            aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html><body>Sorry</body></html>"),
            aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"messages\":[{\"id\":"),
            aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{\"messages\":[]}"),
            aResponse().withStatus(500).withBody(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41, (byte) 0xc3})};
        IntStream.range(0, 12).forEach(i -> firstCallsFail(Requests.phone(300 + i), 1, garbage[i % garbage.length]));
        List<Long> ids = enqueue(300, 12);
        awaitSettled(ids);
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 12L));
        assertThat(attemptCounts()).containsEntry("RETRY/UNREADABLE_RESPONSE", 9L).containsEntry("RETRY/HTTP_500", 3L);
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
    }

    @Test
    void a429BurstThrottlesTheOrgAndCostsNoAttempt() {
        IntStream.range(0, 10).forEach(i -> firstCallsFail(Requests.phone(400 + i), 1, aResponse().withStatus(429)
                .withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"(#130429) Rate limit hit\",\"type\":\"OAuthException\","
                        + "\"code\":130429,\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"Cloud API"
                        + " message throughput has been reached.\"},\"fbtrace_id\":\"AbCdEf\"}}")));
        List<Long> ids = enqueue(400, 10);
        awaitSettled(ids);
        assertThat(sql.statusCounts()).isEqualTo(Map.of("SENT", 10L));
        assertThat(attemptCounts()).containsEntry("DEFERRED/130429", 10L).containsEntry("SENT/-", 10L);
        assertThat(sql.count("SELECT count(*) FROM outbound_message WHERE attempt_count = 1 AND deferral_count >= 1"))
                .as("sent at the first attempt after their deferral").isEqualTo(10);
        assertThat(sql.count("SELECT count(*) FROM whatsapp_rate_limit WHERE org_id = ? AND throttle_until IS NOT NULL",
                ORG)).as("the org was throttled").isEqualTo(1);
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
    }

    @Test
    void aPermanentErrorDeadLettersAtOnceWithItsReason() {
        IntStream.range(0, 5).forEach(i -> firstCallsFail(Requests.phone(500 + i), 1, aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Message undeliverable\",\"type\":\"OAuthException\","
                        + "\"code\":131026,\"fbtrace_id\":\"AbCdEf\"}}")));
        List<Long> ids = enqueue(500, 5);
        awaitSettled(ids);
        assertThat(sql.rows("SELECT status, error_code, error_category, attempt_count FROM outbound_message"))
                .allSatisfy(r -> assertThat(r).containsEntry("status", "FAILED").containsEntry("error_code", "131026")
                        .containsEntry("error_category", "UNDELIVERABLE").containsEntry("attempt_count", 1));
        assertEveryCallRecordedAndOnlyRealAttemptsSpent();
        LibraryLog.awaitLogged("dead-lettered: 131026 UNDELIVERABLE");
    }
}
