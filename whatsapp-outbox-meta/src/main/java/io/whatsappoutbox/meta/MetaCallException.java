package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.ProviderError;
import java.util.Objects;

/** A direct Cloud API call that Meta refused or that failed on the way, with Meta's own error. */
public final class MetaCallException extends RuntimeException {
    private final transient ProviderError error;

    public MetaCallException(ProviderError error) {
        super(Objects.requireNonNull(error, "error").describe());
        this.error = error;
    }

    /** Meta's code (or the outbox's, for a network failure), HTTP status, message and trace id. */
    public ProviderError error() {
        return error;
    }
}
