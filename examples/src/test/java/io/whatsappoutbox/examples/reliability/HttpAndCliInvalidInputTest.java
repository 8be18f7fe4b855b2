package io.whatsappoutbox.examples.reliability;

import static io.whatsappoutbox.examples.reliability.InvalidInput.SCRIPT_INJECTION;
import static io.whatsappoutbox.examples.reliability.InvalidInput.SQL_INJECTION;
import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.examples.demo.DemoHost;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint of the demo host's HTTP API and every operator CLI command given bad values: a
 * 4xx whose {@code errors[].field} names the field (or exit code 2 and the option named), and
 * nothing written.
 */
class HttpAndCliInvalidInputTest {
    static final String ORG = "demo-org-1";
    static final String MESSAGES = "/api/v1/outbound/messages";
    static DemoClient demo;
    static long httpCases;
    static long cliCases;

    @BeforeAll
    static void start() {
        demo = new DemoClient();
        demo.awaitQuiet();
    }

    @AfterAll
    static void stop() {
        Figures.of("invalid-input-http-and-cli").put("httpCasesRefusedWithTheirField", httpCases)
                .put("cliCasesRefusedWithTheirOption", cliCases).put("casesThatWrote", 0).write();
    }

    record Http(String label, String method, String path, String org, String token, String body, int status,
            String field) {
        @Override
        public String toString() {
            return method + " " + path + " " + label + " -> " + status + " " + field;
        }
    }

    static String message(String field, String json) {
        String base = "{\"channel\":\"WHATSAPP\",\"to\":\"+33611119999\",\"idempotencyKey\":\"http-input\","
                + "\"template\":{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[\"lundi\"]}}";
        if (json == null) {
            return base.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}),?", "").replace(",}", "}");
        }
        return base.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\})", "\"" + field + "\":" + json);
    }

    static String str(String s) {
        return DemoClient.JSON.valueToTree(s).toString();
    }

    static Stream<Http> httpCases() {
        List<Http> c = new ArrayList<>();
        String t = DemoHost.ADMIN_TOKEN;
        for (String v : new String[] {null, "\"FAX\"", "\"\"", "5", str(SQL_INJECTION), str(SCRIPT_INJECTION)}) {
            c.add(new Http("channel " + v, "POST", MESSAGES, ORG, t, message("channel", v), 400, "channel"));
        }
        for (String v : new String[] {null, "\"\"", "\"0612345678\"", "\"+33 6 11 11 99 99\"", "33611119999",
                str(SQL_INJECTION), str(SCRIPT_INJECTION), str("+3" + "3".repeat(20))}) {
            c.add(new Http("to " + v, "POST", MESSAGES, ORG, t, message("to", v), 400, "to"));
        }
        for (String v : new String[] {"\"\"", "\"with space\"", str(SQL_INJECTION), str(SCRIPT_INJECTION),
                str("k".repeat(129)), "[1]"}) {
            c.add(new Http("idempotencyKey " + v, "POST", MESSAGES, ORG, t, message("idempotencyKey", v), 400,
                    "idempotencyKey"));
        }
        for (String v : new String[] {"\"D 1\"", str(SQL_INJECTION), str(SCRIPT_INJECTION), str("d".repeat(65))}) {
            c.add(new Http("dossierId " + v, "POST", MESSAGES, ORG, t,
                    message("idempotencyKey", "\"http-input\",\"dossierId\":" + v), 400, "dossierId"));
        }
        c.add(new Http("no content", "POST", MESSAGES, ORG, t, message("template", null), 400, "text"));
        c.add(new Http("text and template", "POST", MESSAGES, ORG, t,
                message("idempotencyKey", "\"k\",\"text\":\"hi\""), 400, "template"));
        c.add(new Http("template not an object", "POST", MESSAGES, ORG, t, message("template", "\"x\""), 400, "template"));
        c.add(new Http("template name injected", "POST", MESSAGES, ORG, t, message("template",
                "{\"name\":" + str(SQL_INJECTION) + ",\"language\":\"fr\"}"), 400, "template.name"));
        c.add(new Http("template language script", "POST", MESSAGES, ORG, t, message("template",
                "{\"name\":\"appointment_reminder\",\"language\":" + str(SCRIPT_INJECTION) + "}"), 400, "template.language"));
        c.add(new Http("parameters not an array", "POST", MESSAGES, ORG, t, message("template",
                "{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":\"x\"}"), 400, "template.parameters"));
        c.add(new Http("parameter not a string", "POST", MESSAGES, ORG, t, message("template",
                "{\"name\":\"appointment_reminder\",\"language\":\"fr\",\"parameters\":[5]}"), 400, "template.parameters[0]"));
        c.add(new Http("SMS text too long", "POST", MESSAGES, ORG, t, "{\"channel\":\"SMS\",\"to\":\"+33611119999\","
                + "\"text\":\"" + "t".repeat(1601) + "\"}", 400, "text"));
        for (String body : new String[] {"{not json", "[]", "", "null"}) {
            c.add(new Http("body " + body, "POST", MESSAGES, ORG, t, body, 400, "body"));
        }
        for (String org : new String[] {null, "", "org one", SQL_INJECTION, SCRIPT_INJECTION, "o".repeat(65)}) {
            c.add(new Http("X-Org-Id " + InvalidInput.label(org), "POST", MESSAGES, org, t, message("to", null), 400,
                    "X-Org-Id"));
        }
        c.add(new Http("no token", "POST", MESSAGES, ORG, null, message("to", null), 401, "Authorization"));
        c.add(new Http("wrong token", "GET", MESSAGES + "/1", ORG, "demo-admin-token", null, 401, "Authorization"));
        c.add(new Http("body over 4 MiB", "POST", MESSAGES, ORG, t, "x".repeat(4 * 1024 * 1024 + 1), 413, "body"));
        for (String id : new String[] {"abc", "-1", "99999999999999999999", "1%27%20OR%20%271%27=%271"}) {
            c.add(new Http("id " + id, "GET", MESSAGES + "/" + id, ORG, t, null, 404, "path"));
            c.add(new Http("id " + id, "POST", MESSAGES + "/" + id + "/retry", ORG, t, null, 404, "path"));
        }
        for (String w : new String[] {"abc", "0", "99999", URLEncoder.encode(SQL_INJECTION, StandardCharsets.UTF_8)}) {
            c.add(new Http("windowHours " + w, "GET", "/api/v1/dashboard/outbound/health?windowHours=" + w, ORG, t, null,
                    400, "windowHours"));
        }
        String consent = "/api/v1/consents/";
        for (String phone : new String[] {"0612345678", "%2B33%206%2011", URLEncoder.encode("<img src=x onerror=alert(1)>",
                StandardCharsets.UTF_8), URLEncoder.encode(SQL_INJECTION, StandardCharsets.UTF_8)}) {
            c.add(new Http("phone " + phone, "PUT", consent + phone, ORG, t, "{\"channel\":\"SMS\",\"granted\":true}",
                    400, "phoneNumber"));
        }
        // a '/' in the decoded number makes it another path, which no endpoint serves
        c.add(new Http("phone with a slash", "PUT", consent + URLEncoder.encode(SCRIPT_INJECTION, StandardCharsets.UTF_8),
                ORG, t, "{\"channel\":\"SMS\",\"granted\":true}", 404, "path"));
        c.add(new Http("consent channel", "PUT", consent + "%2B33611119999", ORG, t, "{\"channel\":\"FAX\",\"granted\":true}",
                400, "channel"));
        c.add(new Http("consent no channel", "PUT", consent + "%2B33611119999", ORG, t, "{\"granted\":true}", 400,
                "channel"));
        c.add(new Http("consent granted", "PUT", consent + "%2B33611119999", ORG, t, "{\"channel\":\"SMS\",\"granted\":\"yes\"}",
                400, "granted"));
        c.add(new Http("consent body", "PUT", consent + "%2B33611119999", ORG, t, "granted", 400, "body"));
        c.add(new Http("outage enabled", "POST", "/simulator/meta/outage", null, t, "{\"enabled\":\"yes\"}", 400, "enabled"));
        c.add(new Http("outage code", "POST", "/simulator/sms/outage", null, t, "{\"enabled\":true,\"errorCode\":\"x\"}",
                400, "errorCode"));
        c.add(new Http("secret", "POST", "/simulator/meta/webhook-secret", null, t, "{\"secret\":5}", 400, "secret"));
        c.add(new Http("simulator method", "GET", "/simulator/meta/outage", null, t, null, 405, "method"));
        c.add(new Http("unknown endpoint", "DELETE", MESSAGES + "/1", ORG, t, null, 404, "path"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("httpCases")
    void everyEndpointRefusesBadValuesNamingTheFieldAndWritesNothing(Http c) throws Exception {
        TableSnapshot before = TableSnapshot.of(demo.sql);
        DemoClient.Answer a = demo.call(c.method(), c.path(), c.org(), c.token(),
                c.body() == null ? null : c.body().getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).as("%s: %s", c, a.raw()).isEqualTo(c.status());
        assertThat(a.contentType()).startsWith("application/json");
        assertThat(a.fields()).as("%s: %s", c, a.raw()).contains(c.field());
        assertThat(a.raw()).as("recipients are never echoed whole").doesNotContain("0612345678", "+33611119999");
        assertThat(TableSnapshot.of(demo.sql)).as("nothing written by %s", c).isEqualTo(before);
        httpCases++;
    }

    static Stream<List<String>> cliCases() {
        return Stream.of(
                List.of("<message-id>", "retry", "abc", "--org", ORG, "--reason", "INC-1"),
                List.of("org", "retry", "1", "--org", "org one", "--reason", "INC-1"),
                List.of("org", "retry", "1", "--org", SQL_INJECTION, "--reason", "INC-1"),
                List.of("--reason", "retry", "1", "--org", ORG),
                List.of("reason", "retry", "1", "--org", ORG, "--reason", "ab"),
                List.of("operator", "retry", "1", "--org", ORG, "--reason", "INC-1", "--operator", "j doe"),
                List.of("errorCodes", "dlq", "retry", "--org", ORG, "--code", "131016' --", "--reason", "INC-1"),
                List.of("errorCodes", "dlq", "retry", "--org", ORG, "--code", SCRIPT_INJECTION, "--reason", "INC-1"),
                List.of("limit", "dlq", "retry", "--org", ORG, "--limit", "0", "--reason", "INC-1", "--yes"),
                List.of("--min-age", "dlq", "retry", "--org", ORG, "--min-age", "soon", "--reason", "INC-1"),
                List.of("--org", "dlq", "retry", "--reason", "INC-1"),
                List.of("quotaLimit", "quota", "set", "--org", ORG, "--limit", "-5", "--reason", "INC-1"),
                List.of("statuses", "cancel", "--org", ORG, "--status", "SENT", "--reason", "INC-1", "--yes"),
                List.of("--channel", "status", "--org", ORG, "--channel", "FAX"),
                List.of("org", "status", "--org", SCRIPT_INJECTION),
                List.of("window", "status", "--org", ORG, "--window", "5000d"),
                List.of("overlap", "rotate-secret", "--org", ORG, "--overlap", "31d", "--reason", "INC-1", "--dry-run"),
                List.of("--jdbc-url", "--jdbc-url", "jdbc:mysql://localhost/outbox", "status", "--org", ORG),
                List.of("operator", "health", "audit", "--all-orgs", "--operator", SQL_INJECTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cliCases")
    void everyCommandRefusesBadValuesWithExit2NamingTheOptionAndWritesNothing(List<String> c) {
        TableSnapshot before = TableSnapshot.of(demo.sql);
        DemoClient.Run run = demo.cli(c.subList(1, c.size()).toArray(String[]::new));
        assertThat(run.exitCode()).as("%s\n%s", c, run.err()).isEqualTo(2);
        assertThat(run.err()).as("%s", c).contains(c.get(0));
        assertThat(TableSnapshot.of(demo.sql)).as("nothing written by %s", c).isEqualTo(before);
        cliCases++;
    }
}
