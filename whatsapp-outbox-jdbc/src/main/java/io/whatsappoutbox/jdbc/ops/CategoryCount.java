package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.ErrorCategory;

/** Failures of one category, with what the runbook says to do about them. */
public record CategoryCount(ErrorCategory category, boolean retryable, String recommendedAction, long count,
        double percentage, long orgs) {

    public static CategoryCount of(ErrorCategory category, long count, double percentage, long orgs) {
        return new CategoryCount(category, category.retryable(), category.recommendedAction(), count, percentage, orgs);
    }
}
