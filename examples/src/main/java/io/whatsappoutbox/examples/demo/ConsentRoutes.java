package io.whatsappoutbox.examples.demo;

import static io.whatsappoutbox.examples.demo.ApiJson.error;
import static io.whatsappoutbox.examples.demo.ApiJson.invalid;
import static io.whatsappoutbox.examples.demo.ApiJson.json;
import static io.whatsappoutbox.examples.demo.ApiJson.ok;
import static io.whatsappoutbox.examples.demo.ApiJson.parse;
import static io.whatsappoutbox.examples.demo.ApiJson.text;
import static io.whatsappoutbox.examples.demo.ApiJson.violations;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.InvalidInputException;
import io.whatsappoutbox.core.PhoneNumber;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Request;
import io.whatsappoutbox.examples.demo.DemoHttpServer.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code PUT} and {@code GET /api/v1/consents/{e164}}: a recipient's consent per channel and purpose. */
final class ConsentRoutes {
    private final DemoStack stack;

    ConsentRoutes(DemoStack stack) {
        this.stack = stack;
    }

    /** Grants or revokes one consent: {@code {"channel", "granted", "purpose"}}. */
    Response put(Request r, String org, String e164) {
        JsonNode body = parse(r.body());
        if (body == null || !body.isObject()) {
            return error(400, "body", "is not a JSON object");
        }
        Violations v = new Violations();
        PhoneNumber phone = null;
        try {
            phone = PhoneNumber.of(e164);
        } catch (InvalidInputException e) {
            v.add("phoneNumber", "'" + PhoneNumber.mask(e164) + "' is not a valid E.164 number", "E.164");
        }
        Channel channel = null;
        String c = text(body, "channel", v);
        try {
            channel = c == null ? null : Channel.valueOf(c);
        } catch (IllegalArgumentException e) {
            v.add("channel", "is not a channel", "WHATSAPP or SMS");
        }
        if (channel == null && c == null) {
            v.add("channel", "is missing", "WHATSAPP or SMS");
        }
        JsonNode granted = body.get("granted");
        if (granted == null || !granted.isBoolean()) {
            v.add("granted", "is missing or not a boolean", "true or false");
        }
        ConsentPurpose purpose = ConsentPurpose.TRANSACTIONAL;
        JsonNode p = body.get("purpose");
        if (p != null && !p.isNull()) {
            try {
                purpose = p.isTextual() ? ConsentPurpose.valueOf(p.asText()) : null;
            } catch (IllegalArgumentException e) {
                purpose = null;
            }
            if (purpose == null) {
                v.add("purpose", "is not a consent purpose", "MARKETING or TRANSACTIONAL");
            }
        }
        if (!v.isEmpty()) {
            return invalid(new InvalidInputException("consent", violations(v)));
        }
        if (granted.asBoolean()) {
            stack.outbox.consents().grant(org, phone, channel, purpose, "api", "api");
        } else {
            stack.outbox.consents().revoke(org, phone, channel, purpose, "api", "api");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", org);
        out.put("phoneNumber", phone.masked());
        out.put("channel", channel.name());
        out.put("purpose", purpose.name());
        out.put("status", stack.outbox.consents().status(org, phone, channel, purpose).name());
        return ok(out);
    }

    /** Every consent of a recipient: per channel, per purpose. */
    Response get(String org, String e164) {
        PhoneNumber phone;
        try {
            phone = PhoneNumber.of(e164);
        } catch (InvalidInputException e) {
            return error(400, "phoneNumber", "'" + PhoneNumber.mask(e164) + "' is not a valid E.164 number");
        }
        Map<String, Object> byChannel = new LinkedHashMap<>();
        for (Channel channel : Channel.values()) {
            Map<String, Object> byPurpose = new LinkedHashMap<>();
            for (ConsentPurpose purpose : ConsentPurpose.values()) {
                byPurpose.put(purpose.name(), stack.outbox.consents().status(org, phone, channel, purpose).name());
            }
            byChannel.put(channel.name(), byPurpose);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", org);
        out.put("phoneNumber", phone.masked());
        out.put("consents", byChannel);
        return ok(out);
    }
}
