package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.jdbc.internal.OpsChecks;
import io.whatsappoutbox.core.internal.Violations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which dead letters (status FAILED) an operation takes. Every part is optional; an empty filter
 * takes the whole dead letter of the scope. Ages count from when the message entered the dead
 * letter ({@code failed_at}).
 *
 * @param channel one channel, or null for both
 * @param errorCodes any of these codes, or empty for any code
 * @param categories any of these categories, or empty for any
 * @param minAge in the dead letter for at least this long (the runbook's 24-hour cooling period), or null
 * @param maxAge in the dead letter for at most this long (recent failures only), or null
 */
public record DeadLetterFilter(Channel channel, List<String> errorCodes, List<ErrorCategory> categories,
        Duration minAge, Duration maxAge) {

    public DeadLetterFilter {
        Violations v = new Violations();
        errorCodes = OpsChecks.errorCodes(v, "errorCodes", errorCodes);
        categories = categories == null ? List.of()
                : categories.stream().filter(c -> c != null).distinct().sorted().toList();
        OpsChecks.optionalAge(v, "minAge", minAge);
        OpsChecks.optionalAge(v, "maxAge", maxAge);
        OpsChecks.ordered(v, "minAge", minAge, "maxAge", maxAge);
        v.throwIfAny("dead-letter filter");
    }

    /** The whole dead letter of the scope. */
    public static DeadLetterFilter all() {
        return new DeadLetterFilter(null, List.of(), List.of(), null, null);
    }

    public DeadLetterFilter withChannel(Channel value) {
        return new DeadLetterFilter(value, errorCodes, categories, minAge, maxAge);
    }

    public DeadLetterFilter withErrorCodes(String... codes) {
        return new DeadLetterFilter(channel, Arrays.asList(codes), categories, minAge, maxAge);
    }

    public DeadLetterFilter withErrorCodes(List<String> codes) {
        return new DeadLetterFilter(channel, codes, categories, minAge, maxAge);
    }

    public DeadLetterFilter withCategories(ErrorCategory... values) {
        return new DeadLetterFilter(channel, errorCodes, Arrays.asList(values), minAge, maxAge);
    }

    public DeadLetterFilter withCategories(List<ErrorCategory> values) {
        return new DeadLetterFilter(channel, errorCodes, values, minAge, maxAge);
    }

    public DeadLetterFilter withMinAge(Duration value) {
        return new DeadLetterFilter(channel, errorCodes, categories, value, maxAge);
    }

    public DeadLetterFilter withMaxAge(Duration value) {
        return new DeadLetterFilter(channel, errorCodes, categories, minAge, value);
    }

    /** Category names, for a SQL {@code = ANY(?)} parameter. */
    public List<String> categoryNames() {
        return categories.stream().map(Enum::name).toList();
    }

    /** The filter as the audit row's {@code filter_json} records it. */
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "FAILED");
        out.put("channel", channel == null ? null : channel.name());
        out.put("errorCodes", new ArrayList<>(errorCodes));
        out.put("categories", categoryNames());
        out.put("minAge", minAge == null ? null : minAge.toString());
        out.put("maxAge", maxAge == null ? null : maxAge.toString());
        return out;
    }
}
