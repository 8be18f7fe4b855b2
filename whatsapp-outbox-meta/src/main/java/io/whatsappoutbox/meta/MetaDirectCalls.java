package io.whatsappoutbox.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.whatsappoutbox.core.OutboxErrorCodes;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.internal.CallFailures;
import io.whatsappoutbox.core.internal.Violations;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.meta.internal.MetaSendResponses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cloud API calls that are not outbox messages, made at once for one org with its own phone
 * number id and token: uploading media a message then references by id, and marking an inbound
 * message read (with the typing indicator while the business writes its answer). Obtained from
 * {@link MetaCloudProvider#directCalls()}, sharing its HTTP client.
 *
 * <p>Each call throws {@link MetaCallException} carrying Meta's error (classify it with
 * {@link MetaCloudProvider#errorCatalogue()}); bad arguments throw
 * {@link io.whatsappoutbox.core.InvalidInputException} before anything is sent.
 */
public final class MetaDirectCalls {
    private static final Logger log = LoggerFactory.getLogger(MetaDirectCalls.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;
    private static final Pattern MESSAGE_ID = Pattern.compile("[A-Za-z0-9._:=+/-]{1,256}");
    private static final Pattern FILENAME = Pattern.compile("[^\\x00-\\x1f\"\\\\/]{1,240}");
    /** Meta's supported types and their size limits, in bytes. */
    static final Map<String, Long> MAX_BYTES = Map.ofEntries(
            Map.entry("audio/aac", 16_000_000L), Map.entry("audio/amr", 16_000_000L),
            Map.entry("audio/mpeg", 16_000_000L), Map.entry("audio/mp4", 16_000_000L),
            Map.entry("audio/ogg", 16_000_000L),
            Map.entry("text/plain", 100_000_000L), Map.entry("application/pdf", 100_000_000L),
            Map.entry("application/msword", 100_000_000L), Map.entry("application/vnd.ms-excel", 100_000_000L),
            Map.entry("application/vnd.ms-powerpoint", 100_000_000L),
            Map.entry("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 100_000_000L),
            Map.entry("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 100_000_000L),
            Map.entry("application/vnd.openxmlformats-officedocument.presentationml.presentation", 100_000_000L),
            Map.entry("image/jpeg", 5_000_000L), Map.entry("image/png", 5_000_000L),
            Map.entry("image/webp", 500_000L),
            Map.entry("video/mp4", 16_000_000L), Map.entry("video/3gpp", 16_000_000L));

    private final WhatsAppAccounts accounts;
    private final OkHttpClient client;
    private final AtomicBoolean closed;
    private final HttpUrl baseUrl;
    private final String graphVersion;
    private final ObjectMapper mapper;
    private final MetaSendResponses responses;

    /** @param closed the provider's: set, no call is made any more */
    MetaDirectCalls(WhatsAppAccounts accounts, OkHttpClient client, AtomicBoolean closed, HttpUrl baseUrl,
            String graphVersion, ObjectMapper mapper, MetaSendResponses responses) {
        this.accounts = accounts;
        this.client = client;
        this.closed = closed;
        this.baseUrl = baseUrl;
        this.graphVersion = graphVersion;
        this.mapper = mapper;
        this.responses = responses;
    }

    /**
     * Uploads media for {@code orgId} ({@code POST /{phone-number-id}/media}, multipart) and returns
     * the media id a message references, such as {@code Media.imageById(id, caption)}; Meta keeps it
     * 30 days.
     *
     * @param mimeType one of Meta's supported types (image/jpeg, application/pdf, video/mp4 ...)
     * @param filename the file name sent with the bytes
     */
    public String uploadMedia(String orgId, byte[] content, String mimeType, String filename) {
        Violations v = new Violations();
        v.requireNonNull("content", content);
        check(v, mimeType, filename, content == null ? 0 : content.length);
        v.throwIfAny("media upload");
        return upload(orgId, RequestBody.create(content, MediaType.get(mimeType)), mimeType, filename);
    }

    /** Uploads a file, streamed from disk; see {@link #uploadMedia(String, byte[], String, String)}. */
    public String uploadMedia(String orgId, Path file, String mimeType) {
        Violations v = new Violations();
        long size = 0;
        if (v.requireNonNull("file", file)) {
            try {
                size = Files.size(file);
            } catch (IOException e) {
                v.add("file", "cannot be read (" + e.getClass().getSimpleName() + ")", "a readable file");
            }
        }
        String filename = file == null || file.getFileName() == null ? null : file.getFileName().toString();
        check(v, mimeType, filename, size);
        v.throwIfAny("media upload");
        return upload(orgId, RequestBody.create(file.toFile(), MediaType.get(mimeType)), mimeType, filename);
    }

    /** Marks the inbound message {@code messageId} read: the customer sees two blue ticks. */
    public void markAsRead(String orgId, String messageId) {
        read(orgId, messageId, false);
    }

    /**
     * Marks the inbound message read and shows the typing indicator until the business answers, or
     * for 25 seconds at most.
     */
    public void markAsReadAndShowTyping(String orgId, String messageId) {
        read(orgId, messageId, true);
    }

    private void read(String orgId, String messageId, boolean typing) {
        Violations v = new Violations();
        v.text("messageId", messageId, 256, MESSAGE_ID, "a WhatsApp message id (wamid...)");
        v.throwIfAny("read receipt");
        WhatsAppAccount account = account(orgId);
        ObjectNode body = mapper.createObjectNode().put("messaging_product", "whatsapp").put("status", "read")
                .put("message_id", messageId);
        if (typing) {
            body.putObject("typing_indicator").put("type", "text");
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a read receipt", e);
        }
        JsonNode answer = call(account, "messages", RequestBody.create(bytes, JSON));
        if (!answer.path("success").asBoolean(false)) {
            throw new MetaCallException(new ProviderError(OutboxErrorCodes.UNREADABLE_RESPONSE, 200,
                    "Meta did not confirm the read receipt", null, null, null));
        }
        log.debug("Message {} of org {} marked read{}", messageId, orgId, typing ? " with typing indicator" : "");
    }

    private String upload(String orgId, RequestBody file, String mimeType, String filename) {
        WhatsAppAccount account = account(orgId);
        MultipartBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("messaging_product", "whatsapp")
                .addFormDataPart("type", mimeType)
                .addFormDataPart("file", filename, file)
                .build();
        JsonNode answer = call(account, "media", body);
        String id = answer.path("id").isTextual() ? answer.path("id").asText() : null;
        if (id == null || id.isBlank()) {
            throw new MetaCallException(new ProviderError(OutboxErrorCodes.UNREADABLE_RESPONSE, 200,
                    "Meta answered the upload without a media id", null, null, null));
        }
        log.info("Media of {} uploaded for org {} as {}", mimeType, orgId, id);
        return id;
    }

    private static void check(Violations v, String mimeType, String filename, long size) {
        Long max = mimeType == null ? null : MAX_BYTES.get(mimeType.toLowerCase(Locale.ROOT));
        if (max == null) {
            v.add("mimeType", mimeType == null ? "is missing" : "'" + Violations.printable(mimeType)
                    + "' is not a type Meta accepts", "one of " + MAX_BYTES.keySet().stream().sorted().toList());
        } else if (size == 0) {
            v.add("content", "is empty", "the media's bytes");
        } else if (size > max) {
            v.add("content", "has " + size + " bytes", "at most " + max + " bytes for " + mimeType);
        }
        v.text("filename", filename, 240, FILENAME, "a file name without control characters, quotes or slashes");
    }

    private WhatsAppAccount account(String orgId) {
        Optional<WhatsAppAccount> found = accounts.forOrg(orgId);
        if (found.isEmpty() || !found.get().enabled() || found.get().accessToken() == null) {
            throw new MetaCallException(ProviderError.of(OutboxErrorCodes.PROVIDER_NOT_CONFIGURED, 0,
                    "no enabled WhatsApp account with a token for org " + orgId));
        }
        return found.get();
    }

    private JsonNode call(WhatsAppAccount account, String edge, RequestBody body) {
        if (closed.get()) {
            throw new MetaCallException(ProviderError.network(OutboxErrorCodes.NETWORK_ERROR,
                    "Not sent: the Meta provider is closed"));
        }
        String token = account.accessToken().reveal();
        HttpUrl url = baseUrl.newBuilder().addPathSegment(graphVersion).addPathSegment(account.phoneNumberId())
                .addPathSegment(edge).build();
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json").post(body).build();
        int status = 0;
        byte[] bytes;
        try (Response response = client.newCall(request).execute()) {
            status = response.code();
            bytes = read(response.body());
        } catch (Exception e) {
            // OkHttp is Kotlin: besides IOException it can throw a checked InterruptedException
            throw new MetaCallException(CallFailures.of("Meta", e, status, token));
        }
        if (status < 200 || status >= 300) {
            throw new MetaCallException(responses.error(status, bytes, token));
        }
        JsonNode json = responses.json(bytes);
        if (json == null) {
            throw new MetaCallException(new ProviderError(OutboxErrorCodes.UNREADABLE_RESPONSE, status,
                    "HTTP " + status + " from Meta without a JSON answer", null, null, null));
        }
        return json;
    }

    /** The client calls go through: the provider's. */
    OkHttpClient httpClient() {
        return client;
    }

    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(MAX_RESPONSE_BYTES);
        }
    }
}
