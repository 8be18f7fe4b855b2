package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.core.internal.MessageStateMachine.Transition;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which messages a bulk cancel withdraws. Ages count from {@code created_at}.
 *
 * @param statuses QUEUED and/or FAILED (the statuses a cancel may start from); QUEUED when empty
 * @param channel one channel, or null for both
 * @param errorCodes the last error is one of these, or empty for any (a never-failed QUEUED message has none)
 * @param categories the last error's category is one of these, or empty for any
 * @param minAge created at least this long ago, or null
 * @param maxAge created at most this long ago, or null
 */
public record CancelFilter(List<MessageStatus> statuses, Channel channel, List<String> errorCodes,
        List<ErrorCategory> categories, Duration minAge, Duration maxAge) {

    public CancelFilter {
        Violations v = new Violations();
        statuses = statuses == null || statuses.isEmpty() ? List.of(MessageStatus.QUEUED)
                : statuses.stream().filter(s -> s != null).distinct().sorted().toList();
        for (MessageStatus s : statuses) {
            if (!Transition.CANCEL.allowedFrom(s)) {
                v.add("statuses", "holds " + s, "statuses a cancel may start from: " + Transition.CANCEL.sources());
            }
        }
        errorCodes = OpsChecks.errorCodes(v, "errorCodes", errorCodes);
        categories = categories == null ? List.of()
                : categories.stream().filter(c -> c != null).distinct().sorted().toList();
        OpsChecks.optionalAge(v, "minAge", minAge);
        OpsChecks.optionalAge(v, "maxAge", maxAge);
        OpsChecks.ordered(v, "minAge", minAge, "maxAge", maxAge);
        v.throwIfAny("cancel filter");
    }

    /** Every QUEUED message of the scope. */
    public static CancelFilter queued() {
        return new CancelFilter(List.of(MessageStatus.QUEUED), null, List.of(), List.of(), null, null);
    }

    public CancelFilter withStatuses(MessageStatus... values) {
        return new CancelFilter(Arrays.asList(values), channel, errorCodes, categories, minAge, maxAge);
    }

    public CancelFilter withChannel(Channel value) {
        return new CancelFilter(statuses, value, errorCodes, categories, minAge, maxAge);
    }

    public CancelFilter withErrorCodes(List<String> codes) {
        return new CancelFilter(statuses, channel, codes, categories, minAge, maxAge);
    }

    public CancelFilter withCategories(List<ErrorCategory> values) {
        return new CancelFilter(statuses, channel, errorCodes, values, minAge, maxAge);
    }

    public CancelFilter withMinAge(Duration value) {
        return new CancelFilter(statuses, channel, errorCodes, categories, value, maxAge);
    }

    public CancelFilter withMaxAge(Duration value) {
        return new CancelFilter(statuses, channel, errorCodes, categories, minAge, value);
    }

    public List<String> statusNames() {
        return statuses.stream().map(Enum::name).toList();
    }

    public List<String> categoryNames() {
        return categories.stream().map(Enum::name).toList();
    }

    /** The filter as the audit row's {@code filter_json} records it. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("statuses", statusNames());
        out.put("channel", channel == null ? null : channel.name());
        out.put("errorCodes", new ArrayList<>(errorCodes));
        out.put("categories", categoryNames());
        out.put("minAge", minAge == null ? null : minAge.toString());
        out.put("maxAge", maxAge == null ? null : maxAge.toString());
        return out;
    }
}
