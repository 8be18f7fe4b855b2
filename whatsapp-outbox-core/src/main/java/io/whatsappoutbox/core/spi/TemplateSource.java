package io.whatsappoutbox.core.spi;

import io.whatsappoutbox.core.TemplateDefinition;
import java.util.List;

/**
 * Where an org's approved templates come from: Meta's template list for its WhatsApp Business
 * account, every page of it. The template registry syncs from it.
 */
@FunctionalInterface
public interface TemplateSource {
    /**
     * Every template of {@code account}'s business account, in every language and status.
     *
     * @throws RuntimeException when Meta refuses or cannot be reached (its message names the
     *     account and the HTTP status, never the token): a sync that fails changes nothing
     */
    List<TemplateDefinition> fetch(WhatsAppAccount account);
}
