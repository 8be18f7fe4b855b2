package io.whatsappoutbox.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.Template;
import io.whatsappoutbox.core.TemplateDefinition;
import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.spi.TemplateSource;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.meta.internal.MetaJson;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An org's templates as Meta lists them ({@code GET /{waba-id}/message_templates}), every page,
 * through the provider's HTTP client and with the account's token. Obtained from
 * {@link MetaCloudProvider#templateSource()}.
 *
 * <p>Pages are followed while Meta's answer has {@code paging.next}, by its {@code after} cursor
 * against the provider's base URL: the token never goes to a host the answer names.
 */
public final class MetaTemplateSource implements TemplateSource {
    private static final Logger log = LoggerFactory.getLogger(MetaTemplateSource.class);
    static final String FIELDS = "id,name,language,status,category,parameter_format,components,quality_score,"
            + "rejected_reason";
    static final int PAGE_SIZE = 100;
    /** A business account has at most a few thousand templates: a loop past this is Meta's or ours. */
    static final int MAX_PAGES = 1_000;
    private static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");

    private final OkHttpClient client;
    private final AtomicBoolean closed;
    private final HttpUrl baseUrl;
    private final String graphVersion;
    private final MetaSendResponses responses;
    private final Clock clock;

    MetaTemplateSource(OkHttpClient client, AtomicBoolean closed, HttpUrl baseUrl, String graphVersion,
            MetaSendResponses responses, Clock clock) {
        this.client = client;
        this.closed = closed;
        this.baseUrl = baseUrl;
        this.graphVersion = graphVersion;
        this.responses = responses;
        this.clock = clock;
    }

    @Override
    public List<TemplateDefinition> fetch(WhatsAppAccount account) {
        String waba = account.businessAccountId();
        if (waba == null || waba.isBlank() || account.accessToken() == null) {
            throw new IllegalStateException("Org " + account.orgId()
                    + " has no WhatsApp business account id and token to list its templates");
        }
        Instant now = clock.instant();
        List<TemplateDefinition> templates = new ArrayList<>();
        String after = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            JsonNode answer = page(account, after);
            JsonNode data = answer.path("data");
            if (!data.isArray()) {
                throw failure(account, 200, "an answer without a data list");
            }
            for (JsonNode t : data) {
                TemplateDefinition d = definition(t, now);
                if (d != null) {
                    templates.add(d);
                }
            }
            after = nextCursor(answer.path("paging"));
            if (after == null) {
                log.info("Listed {} template(s) of business account {} in {} page(s)", templates.size(), waba, page + 1);
                return templates;
            }
        }
        throw failure(account, 200, "more than " + MAX_PAGES + " pages");
    }

    /** The cursor of the next page, or null on the last one (Graph leaves {@code paging.next} out there). */
    private static String nextCursor(JsonNode paging) {
        String next = MetaJson.text(paging, "next");
        if (next == null || next.isBlank()) {
            return null;
        }
        String after = MetaJson.text(paging.path("cursors"), "after");
        if (after == null || after.isBlank()) {
            HttpUrl url = HttpUrl.parse(next);
            after = url == null ? null : url.queryParameter("after");
        }
        return after == null || after.isBlank() ? null : after;
    }

    private JsonNode page(WhatsAppAccount account, String after) {
        if (closed.get()) {
            throw new IllegalStateException("Templates of org " + account.orgId() + " not listed: the Meta provider is closed");
        }
        String token = account.accessToken().reveal();
        HttpUrl.Builder url = baseUrl.newBuilder().addPathSegment(graphVersion)
                .addPathSegment(account.businessAccountId()).addPathSegment("message_templates")
                .addQueryParameter("fields", FIELDS).addQueryParameter("limit", String.valueOf(PAGE_SIZE));
        if (after != null) {
            url.addQueryParameter("after", after);
        }
        Request request = new Request.Builder().url(url.build()).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").get().build();
        int status = 0;
        byte[] bytes;
        try (Response response = client.newCall(request).execute()) {
            status = response.code();
            bytes = read(response.body());
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            ProviderError error = CallFailures.of("Meta", e, status, token);
            throw new TemplateListException(account, status, error.describe(), e);
        }
        if (status < 200 || status >= 300) {
            throw failure(account, status, responses.error(status, bytes, token).describe());
        }
        JsonNode json = responses.json(bytes);
        if (json == null || !json.isObject()) {
            throw failure(account, status, "an answer that is not a JSON object");
        }
        return json;
    }

    private static TemplateListException failure(WhatsAppAccount account, int status, String what) {
        return new TemplateListException(account, status, what, null);
    }

    /** One template of the list; null for an entry without a name or language (nothing can send it). */
    static TemplateDefinition definition(JsonNode t, Instant now) {
        String name = MetaJson.text(t, "name");
        String language = MetaJson.text(t, "language");
        if (name == null || language == null) {
            return null;
        }
        String format = MetaJson.text(t, "parameter_format");
        TemplateDefinition.ParameterFormat parameterFormat = "NAMED".equalsIgnoreCase(format)
                ? TemplateDefinition.ParameterFormat.NAMED : TemplateDefinition.ParameterFormat.POSITIONAL;
        TemplateDefinition.Header header = null;
        List<String> body = List.of();
        List<TemplateDefinition.Button> buttons = new ArrayList<>();
        for (JsonNode c : t.path("components")) {
            String type = upper(MetaJson.text(c, "type"));
            switch (type) {
                case "HEADER" -> header = header(c);
                case "BODY" -> body = variables(MetaJson.text(c, "text"));
                case "BUTTONS" -> {
                    for (JsonNode b : c.path("buttons")) {
                        String bt = upper(MetaJson.text(b, "type"));
                        buttons.add(new TemplateDefinition.Button(buttons.size(), bt.isEmpty() ? "UNKNOWN" : bt,
                                takesParameter(bt, b)));
                    }
                }
                default -> {
                    // footer, carousel, limited-time offer: nothing a send of the kinds checked supplies
                }
            }
        }
        String quality = MetaJson.text(t.path("quality_score"), "score");
        String reason = MetaJson.text(t, "rejected_reason");
        return new TemplateDefinition(MetaJson.scalar(t, "id"), name, language,
                TemplateDefinition.Status.of(MetaJson.text(t, "status")),
                TemplateDefinition.Category.of(MetaJson.text(t, "category")), parameterFormat, header, body, buttons,
                quality, reason == null || "NONE".equals(reason) ? null : reason, now);
    }

    private static TemplateDefinition.Header header(JsonNode c) {
        String format = upper(MetaJson.text(c, "format"));
        return switch (format) {
            case "TEXT" -> {
                List<String> vars = variables(MetaJson.text(c, "text"));
                yield vars.isEmpty() ? null : new TemplateDefinition.Header(Template.Header.Type.TEXT, vars.get(0));
            }
            case "IMAGE" -> new TemplateDefinition.Header(Template.Header.Type.IMAGE, null);
            case "VIDEO" -> new TemplateDefinition.Header(Template.Header.Type.VIDEO, null);
            case "DOCUMENT" -> new TemplateDefinition.Header(Template.Header.Type.DOCUMENT, null);
            case "LOCATION" -> new TemplateDefinition.Header(Template.Header.Type.LOCATION, null);
            // GIF, PRODUCT: kinds a Template cannot carry, so there is nothing to check a send against
            default -> null;
        };
    }

    private static boolean takesParameter(String type, JsonNode b) {
        return switch (type) {
            case "URL" -> {
                String url = MetaJson.text(b, "url");
                yield url != null && VARIABLE.matcher(url).find();
            }
            case "COPY_CODE", "OTP" -> true;
            default -> false;
        };
    }

    /** The variables of a text in order of first appearance: {@code 1, 2} or {@code first_name}. */
    static List<String> variables(String text) {
        if (text == null) {
            return List.of();
        }
        Set<String> found = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return List.copyOf(found);
    }

    private static String upper(String s) {
        return s == null ? "" : s.strip().toUpperCase(Locale.ROOT);
    }

    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_RESPONSE_BYTES);
        }
    }

    /** Meta refused the template list or could not be reached: names the org, account and HTTP status. */
    public static final class TemplateListException extends RuntimeException {
        private final int httpStatus;

        TemplateListException(WhatsAppAccount account, int httpStatus, String what, Throwable cause) {
            super("Template list of org " + account.orgId() + " (business account " + account.businessAccountId()
                    + ") failed: HTTP " + httpStatus + ", " + what, cause);
            this.httpStatus = httpStatus;
        }

        /** Meta's HTTP status, 0 when no answer came. */
        public int httpStatus() {
            return httpStatus;
        }
    }
}
