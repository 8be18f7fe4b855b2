package io.whatsappoutbox.examples.demo;

import static io.whatsappoutbox.examples.demo.ApiJson.error;
import static io.whatsappoutbox.examples.demo.ApiJson.invalid;
import static io.whatsappoutbox.examples.demo.ApiJson.ok;
import static io.whatsappoutbox.examples.demo.ApiJson.parse;
import static io.whatsappoutbox.examples.demo.ApiJson.text;
import static io.whatsappoutbox.examples.demo.ApiJson.violations;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.SendingHours;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Request;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import io.whatsappoutbox.jdbc.ops.Operator;
import io.whatsappoutbox.jdbc.ops.SendingHoursChange;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /api/v1/sending-hours}: the org's sending hours
 * ({@code {"opens":"09:00","closes":"20:00","days":["MONDAY",..],"timeZone":"Europe/Paris",
 * "holdTransactional":false}}), set and cleared through the audited operations.
 */
final class SendingHoursRoutes {
    static final String PATH = "/api/v1/sending-hours";
    private final DemoStack stack;

    SendingHoursRoutes(DemoStack stack) {
        this.stack = stack;
    }

    Response handle(Request r, String org) {
        Response answer = switch (r.method()) {
            case "GET" -> ok(view(org, stack.operations.sendingHours(org).orElse(null)));
            case "PUT" -> put(r, org);
            case "DELETE" -> ok(change(stack.operations.setSendingHours(org, null,
                    Operator.of("api", "sending hours cleared through the HTTP API"), false)));
            default -> error(405, "method", r.method() + " is not allowed here (GET, PUT or DELETE)");
        };
        if (!r.method().equals("GET") && answer.status() == 200) {
            // the host owns its dispatcher: the change applies now, not at the next maintenance run
            stack.dispatcher.runMaintenance();
        }
        return answer;
    }

    private Response put(Request r, String org) {
        JsonNode body = parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        LocalTime opens = time(body, "opens", v);
        LocalTime closes = time(body, "closes", v);
        ZoneId zone = null;
        String z = text(body, "timeZone", v);
        if (z == null) {
            v.add("timeZone", "is missing", "an IANA zone id such as Europe/Paris: the zone of recipients whose number"
                    + " names none");
        } else {
            try {
                zone = ZoneId.of(z);
            } catch (DateTimeException e) {
                v.add("timeZone", "'" + Violations.printable(z) + "' is not a time zone", "an IANA zone id such as Europe/Paris");
            }
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        JsonNode d = body.get("days");
        if (d == null || d.isNull()) {
            days = EnumSet.allOf(DayOfWeek.class);
        } else if (!d.isArray() || d.isEmpty()) {
            v.add("days", "is not a list of days", "a non-empty array of MONDAY .. SUNDAY (absent: every day)");
        } else {
            for (JsonNode day : d) {
                try {
                    days.add(DayOfWeek.valueOf(day.asText().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    v.add("days", "'" + Violations.printable(day.asText()) + "' is not a day", "MONDAY .. SUNDAY");
                }
            }
        }
        JsonNode hold = body.get("holdTransactional");
        if (hold != null && !hold.isNull() && !hold.isBoolean()) {
            v.add("holdTransactional", "is not a boolean", "true or false (absent: false, only marketing waits)");
        }
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("sending hours", violations(v)));
        }
        SendingHours hours = new SendingHours(opens, closes, days, zone, hold != null && hold.asBoolean());
        return ok(change(stack.operations.setSendingHours(org, hours,
                Operator.of("api", "sending hours set through the HTTP API"), false)));
    }

    private static LocalTime time(JsonNode body, String field, Violations v) {
        String t = text(body, field, v);
        if (t == null) {
            v.add(field, "is missing", "a local time such as 09:00");
            return null;
        }
        try {
            return LocalTime.parse(t);
        } catch (DateTimeParseException e) {
            v.add(field, "'" + Violations.printable(t) + "' is not a time", "a local time such as 09:00");
            return null;
        }
    }

    private static Map<String, Object> change(SendingHoursChange c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("operationId", c.operationId().toString());
        out.put("action", c.kind().name());
        out.put("before", c.before() == null ? null : hours(c.before()));
        out.put("after", c.after() == null ? null : hours(c.after()));
        return out;
    }

    private static Map<String, Object> view(String org, SendingHours h) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", org);
        out.put("sendingHours", h == null ? null : hours(h));
        return out;
    }

    private static Map<String, Object> hours(SendingHours h) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("opens", h.opens().toString());
        out.put("closes", h.closes().toString());
        out.put("days", h.days().stream().sorted().map(DayOfWeek::name).toList());
        out.put("timeZone", h.defaultZone().getId());
        out.put("holdTransactional", h.holdsTransactional());
        return out;
    }
}
