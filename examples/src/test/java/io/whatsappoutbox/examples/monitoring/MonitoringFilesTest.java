package io.whatsappoutbox.examples.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The alert rules and the dashboard shipped under docs/monitoring: they parse, and name only real metrics. */
class MonitoringFilesTest {
    static final Path DIR = Path.of("..", "docs", "monitoring");
    static final Set<String> METRICS = Set.of("outbound_message_queue_depth", "outbound_message_dlq_size",
            "outbound_message_total", "outbound_message_sent_total", "outbound_message_failures_total",
            "whatsapp_rate_limit_hits_total", "outbound_message_delivery_duration_seconds_bucket",
            "outbound_message_stuck_total", "whatsapp_webhook_signature_failures_total");
    static final Pattern NAME = Pattern.compile("\\b(outbound_message_[a-z_]+|whatsapp_[a-z_]+)\\b");

    static JsonNode yaml(String file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve(file).toFile());
    }

    /** Metric names in an expression (recording rule names, which contain ':', are not matched). */
    static Set<String> metrics(String expr) {
        Set<String> out = new HashSet<>();
        Matcher m = NAME.matcher(expr);
        while (m.find()) {
            int end = m.end();
            if (end < expr.length() && expr.charAt(end) == ':' || m.start() > 0 && expr.charAt(m.start() - 1) == ':') {
                continue;
            }
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theAlertRulesParseAndNameOnlyTheLibrarysMetrics() throws IOException {
        JsonNode rules = yaml("prometheus-alerts.yml");
        List<String> alerts = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String expr = rule.get("expr").asText();
                used.addAll(metrics(expr));
                if (rule.has("alert")) {
                    alerts.add(rule.get("alert").asText());
                    assertThat(rule.get("labels").get("severity").asText()).isIn("critical", "warning");
                    assertThat(rule.get("annotations").get("summary").asText()).isNotBlank();
                }
            }
        }
        assertThat(METRICS).containsAll(used);
        assertThat(used).contains("outbound_message_dlq_size").doesNotContain("outbound_message_dlq_messages");
        assertThat(alerts).contains("WhatsAppHighFailureRate", "WhatsAppProviderDown", "WhatsAppDLQOverflow",
                "WhatsAppQueueBackup", "WhatsAppWebhookSignatureFailures");
    }

    @Test
    void theFailureRateAlertIsARatioOfRatesNotAPerSecondRate() throws IOException {
        JsonNode rules = yaml("prometheus-alerts.yml");
        String alertExpr = null;
        String ratioExpr = null;
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if ("WhatsAppHighFailureRate".equals(rule.path("alert").asText())) {
                    alertExpr = rule.get("expr").asText();
                }
                if ("channel:outbound_message_failure_ratio:rate5m".equals(rule.path("record").asText())) {
                    ratioExpr = rule.get("expr").asText();
                }
            }
        }
        assertThat(alertExpr).contains("channel:outbound_message_failure_ratio:rate5m").contains("> 0.30");
        assertThat(ratioExpr).containsPattern("rate\\(outbound_message_failures_total\\[5m\\]\\)\\)\\s*/\\s*sum by \\(channel\\)"
                + " \\(rate\\(outbound_message_total\\[5m\\]\\)\\)");
    }

    @Test
    void theDashboardParsesAndEveryPanelQueriesKnownMetrics() throws IOException {
        JsonNode dash = new ObjectMapper().readTree(DIR.resolve("grafana-dashboard.json").toFile());
        assertThat(dash.get("uid").asText()).isEqualTo("whatsapp-outbox");
        Set<Integer> ids = new HashSet<>();
        Set<String> used = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : dash.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
            JsonNode pos = panel.get("gridPos");
            assertThat(pos.get("x").asInt() + pos.get("w").asInt()).isLessThanOrEqualTo(24);
            for (JsonNode target : panel.path("targets")) {
                queries++;
                assertThat(target.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
                used.addAll(metrics(target.get("expr").asText()));
            }
        }
        assertThat(queries).isGreaterThan(10);
        assertThat(METRICS).containsAll(used);
        assertThat(used).hasSize(METRICS.size()); // every metric is on the dashboard
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTests() throws Exception {
        Path promtool = onPath("promtool");
        assumeTrue(promtool != null, "promtool is not on the PATH");
        assertThat(run(promtool, "check", "rules", "prometheus-alerts.yml")).contains("SUCCESS");
        assertThat(run(promtool, "test", "rules", "prometheus-alerts.test.yml")).contains("SUCCESS");
    }

    static Path onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static String run(Path tool, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
