package io.whatsappoutbox.meta.internal;

import io.whatsappoutbox.core.internal.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.whatsappoutbox.core.spi.WhatsAppAccount;
import io.whatsappoutbox.core.spi.WhatsAppAccounts;
import io.whatsappoutbox.core.webhook.DeliveryReceipt;
import io.whatsappoutbox.core.webhook.InboundMessage;
import io.whatsappoutbox.core.webhook.LifecycleEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a whole Meta webhook body into receipts, inbound messages and lifecycle events, routing
 * each {@code messages} and {@code user_preferences} change to its org by
 * {@code value.metadata.phone_number_id}, and each account-level change (templates, number
 * quality, account) to every org of its business account ({@code entry.id}). Any malformed part of a {@code messages} change fails
 * the whole body, so nothing is applied partially; a malformed lifecycle change is skipped and
 * counted instead (it is about the account, not about a message the outbox must account for, and
 * refusing the body would make Meta redeliver the good items with it). Internal.
 */
public final class MetaWebhookParser {
    public static final String OBJECT = "whatsapp_business_account";

    private final ObjectMapper mapper;
    private final WhatsAppAccounts accounts;

    /**
     * Everything one body holds.
     *
     * @param orgs the orgs the applied changes were routed to
     * @param unknownPhoneNumberIds changes skipped because no account has their phone number id
     * @param unknownBusinessAccountIds account-level changes skipped because no org has their
     *     business account ({@code entry.id})
     * @param withoutPhoneNumber inbound messages skipped because they carry no phone number
     *     (a WhatsApp user with a username only: the core has no way to key them yet)
     * @param malformedEvents lifecycle changes skipped as malformed, each as {@code field: problem}
     *     (names of fields only, never values)
     * @param valueErrors the value-level {@code errors[]} Meta reported (not a status's)
     */
    public record Parsed(List<DeliveryReceipt> receipts, List<InboundMessage> inbound, List<LifecycleEvent> events,
            Set<String> orgs, int unknownPhoneNumberIds, int unknownBusinessAccountIds, int withoutPhoneNumber,
            List<String> malformedEvents, List<ValueError> valueErrors) {}

    /** One of a change's value-level {@code errors[]}: code and title only (details may quote a number). */
    public record ValueError(String code, String title) {}

    public MetaWebhookParser(ObjectMapper mapper, WhatsAppAccounts accounts) {
        this.mapper = mapper;
        this.accounts = accounts;
    }

    /**
     * @throws WebhookPayloadException for a body that is not a whole, well formed Meta payload
     * @throws RuntimeException from the accounts lookup (a store failure, not the caller's fault)
     */
    /**
     * @param receivedAt when the body arrived: the time of a lifecycle event whose entry has no {@code time}
     */
    public Parsed parse(byte[] body, Instant receivedAt) throws WebhookPayloadException {
        JsonNode root = readJson(body);
        if (!root.isObject()) {
            throw new WebhookPayloadException("body is not a JSON object");
        }
        JsonNode object = root.get("object");
        if (object == null || !object.isTextual()) {
            throw new WebhookPayloadException("object is missing");
        }
        if (!OBJECT.equals(object.asText())) {
            throw new WebhookPayloadException("object is not " + OBJECT);
        }
        State state = new State();
        JsonNode entries = WebhookNodes.array(root, "entry", "entry", true);
        for (int i = 0; i < entries.size(); i++) {
            String entryPath = "entry[" + i + "]";
            JsonNode entry = WebhookNodes.object(entries.get(i), entryPath);
            JsonNode changes = WebhookNodes.array(entry, "changes", entryPath + ".changes", false);
            for (int j = 0; j < changes.size(); j++) {
                change(entry, WebhookNodes.object(changes.get(j), entryPath + ".changes[" + j + "]"),
                        entryPath + ".changes[" + j + "]", state, receivedAt);
            }
        }
        return new Parsed(state.receipts, state.inbound, state.events, state.orgs, state.unknownPhoneNumberIds,
                state.unknownBusinessAccountIds, state.withoutPhoneNumber, state.malformedEvents, state.valueErrors);
    }

    private static final class State {
        final List<DeliveryReceipt> receipts = new ArrayList<>();
        final List<InboundMessage> inbound = new ArrayList<>();
        final List<LifecycleEvent> events = new ArrayList<>();
        final List<String> malformedEvents = new ArrayList<>();
        final List<ValueError> valueErrors = new ArrayList<>();
        final Set<String> orgs = new LinkedHashSet<>();
        final Map<String, Optional<WhatsAppAccount>> routes = new HashMap<>();
        final Map<String, List<WhatsAppAccount>> businessAccounts = new HashMap<>();
        int unknownPhoneNumberIds;
        int unknownBusinessAccountIds;
        int withoutPhoneNumber;
    }

    private JsonNode readJson(byte[] body) throws WebhookPayloadException {
        String text;
        try {
            // strict UTF-8 first: Jackson alone lets some invalid sequences through
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw new WebhookPayloadException("body is not valid UTF-8");
        }
        try {
            JsonNode root = mapper.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new WebhookPayloadException("body is empty");
            }
            if (holdsNul(root)) {
                // PostgreSQL text cannot hold U+0000: storing it would fail, and fail again at every redelivery
                throw new WebhookPayloadException("body holds a NUL character (\\u0000) in a value");
            }
            return root;
        } catch (IOException e) {
            // Jackson's message may quote the body: only its kind is reported
            throw new WebhookPayloadException("body is not well formed JSON ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static boolean holdsNul(JsonNode root) {
        Deque<JsonNode> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isTextual() && n.textValue().indexOf('\u0000') >= 0) {
                return true;
            }
            n.elements().forEachRemaining(todo::push);
        }
        return false;
    }

    private void change(JsonNode entry, JsonNode change, String path, State state, Instant receivedAt)
            throws WebhookPayloadException {
        JsonNode fieldNode = change.get("field");
        String field = fieldNode != null && fieldNode.isTextual() ? fieldNode.asText() : null;
        if (field != null && (LifecycleChanges.ACCOUNT_FIELDS.contains(field)
                || LifecycleChanges.USER_PREFERENCES.equals(field))) {
            lifecycle(field, entry, change, state, receivedAt);
            return;
        }
        if (!"messages".equals(field)) {
            return; // business_capability_update, account_alerts and the like: not the outbox's business
        }
        JsonNode value = WebhookNodes.object(change.get("value"), path + ".value");
        String phoneNumberId = WebhookNodes.requiredText(value.path("metadata"), "phone_number_id",
                path + ".value.metadata.phone_number_id");
        JsonNode statuses = WebhookNodes.array(value, "statuses", path + ".value.statuses", false);
        JsonNode messages = WebhookNodes.array(value, "messages", path + ".value.messages", false);
        valueErrors(value, state);
        Optional<WhatsAppAccount> account = route(phoneNumberId, state);
        if (account.isEmpty()) {
            state.unknownPhoneNumberIds++;
            return;
        }
        String orgId = account.get().orgId();
        state.orgs.add(orgId);
        for (int k = 0; k < statuses.size(); k++) {
            String p = path + ".value.statuses[" + k + "]";
            DeliveryReceipt receipt = MessageChanges.receipt(WebhookNodes.object(statuses.get(k), p), p, orgId);
            if (receipt != null) {
                state.receipts.add(receipt);
            }
        }
        Map<String, String> profileNames = InboundDetails.profileNames(value.path("contacts"));
        for (int k = 0; k < messages.size(); k++) {
            String p = path + ".value.messages[" + k + "]";
            JsonNode m = WebhookNodes.object(messages.get(k), p);
            InboundMessage inbound = MessageChanges.inbound(m, p, orgId, profileNames.get(
                    MetaJson.text(m, "from") == null ? "" : MetaJson.text(m, "from").strip().replace("+", "")));
            if (inbound == null) {
                // a user known by a business-scoped user id only: nothing to key the message on
                state.withoutPhoneNumber++;
            } else {
                state.inbound.add(inbound);
            }
        }
    }

    private Optional<WhatsAppAccount> route(String phoneNumberId, State state) {
        return state.routes.computeIfAbsent(phoneNumberId,
                id -> Objects.requireNonNullElse(accounts.forPhoneNumberId(id), Optional.empty()));
    }

    /**
     * Adds the orgs of a business account to those the signature must allow: the store applies an
     * account-level event to every one of them. False, counted as unknown, when no org has it.
     */
    private boolean routeAccount(String businessAccountId, State state) {
        List<WhatsAppAccount> orgs = state.businessAccounts.computeIfAbsent(businessAccountId,
                id -> Objects.requireNonNullElse(accounts.forBusinessAccountId(id), List.of()));
        if (orgs.isEmpty()) {
            state.unknownBusinessAccountIds++;
            return false;
        }
        orgs.forEach(a -> state.orgs.add(a.orgId()));
        return true;
    }

    /** Meta's value-level errors (a whole change's problem, e.g. a message it could not process). */
    private static void valueErrors(JsonNode value, State state) {
        JsonNode errors = value.path("errors");
        if (!errors.isArray()) {
            return;
        }
        for (JsonNode e : errors) {
            String code = MetaJson.scalar(e, "code");
            String title = MetaJson.text(e, "title");
            if (title == null) {
                title = MetaJson.text(e, "message");
            }
            state.valueErrors.add(new ValueError(code == null || code.isBlank() ? "UNKNOWN" : SafeText.clean(code),
                    title == null ? null : SafeText.forError(title)));
        }
    }

    /**
     * A lifecycle change: its events, or a skip. A store failure looking up an account still fails
     * the body (it is no fault of the payload).
     */
    private void lifecycle(String field, JsonNode entry, JsonNode change, State state, Instant receivedAt) {
        try {
            JsonNode value = WebhookNodes.object(change.get("value"), "value");
            String waba = MetaJson.scalar(entry, "id");
            if (waba == null || waba.isBlank()) {
                throw new WebhookPayloadException("entry.id is missing");
            }
            waba = waba.strip();
            Instant entryTime = LifecycleChanges.instant(entry.get("time"));
            Instant at = entryTime == null ? receivedAt : entryTime;
            if (!LifecycleChanges.USER_PREFERENCES.equals(field)) {
                Optional<LifecycleEvent> event = LifecycleChanges.accountChange(field, value, waba, at);
                if (event.isPresent() && routeAccount(waba, state)) {
                    state.events.add(event.get());
                }
                return;
            }
            String phoneNumberId = WebhookNodes.requiredText(value.path("metadata"), "phone_number_id", "metadata.phone_number_id");
            JsonNode items = value.path("user_preferences");
            if (!items.isArray()) {
                throw new WebhookPayloadException("user_preferences is not an array");
            }
            Optional<WhatsAppAccount> account = route(phoneNumberId, state);
            if (account.isEmpty()) {
                state.unknownPhoneNumberIds++;
                return;
            }
            String orgId = account.get().orgId();
            state.orgs.add(orgId);
            for (JsonNode item : items) {
                try {
                    LifecycleChanges.preference(item, waba, orgId, at).ifPresent(state.events::add);
                } catch (WebhookPayloadException e) {
                    state.malformedEvents.add(field + ": " + e.getMessage());
                }
            }
        } catch (WebhookPayloadException e) {
            state.malformedEvents.add(field + ": " + e.getMessage());
        } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
            // a record refusing a value: its message may quote it, so the type only
            state.malformedEvents.add(field + ": " + e.getClass().getSimpleName());
        }
    }

}
