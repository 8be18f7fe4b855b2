package io.whatsappoutbox.core.internal;

import io.whatsappoutbox.core.dispatch.OutboxListener;
import io.whatsappoutbox.core.store.WebhookStore;
import io.whatsappoutbox.core.webhook.WebhookProcessor;
import java.time.Clock;
import java.util.List;

/**
 * How a dispatcher builds its webhook processor over its own delivery policy and listeners, without
 * a public constructor taking internal types: {@link WebhookProcessor} registers its factory here
 * when its class is initialised. Internal.
 */
public final class WebhookWiring {
    /** Builds a processor; {@code optOutKeywords} null keeps the default keywords. */
    public interface Factory {
        WebhookProcessor create(WebhookStore store, DeliveryPolicy policy, List<String> optOutKeywords, Clock clock,
                OutboxListener listener);
    }

    private static volatile Factory factory;

    private WebhookWiring() {}

    /** Called once, by {@link WebhookProcessor}'s static initialiser. */
    public static void register(Factory f) {
        factory = f;
    }

    /** @throws IllegalArgumentException when a keyword is blank */
    public static WebhookProcessor create(WebhookStore store, DeliveryPolicy policy, List<String> optOutKeywords,
            Clock clock, OutboxListener listener) {
        if (factory == null) {
            try {
                Class.forName(WebhookProcessor.class.getName(), true, WebhookProcessor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return factory.create(store, policy, optOutKeywords, clock, listener);
    }
}
