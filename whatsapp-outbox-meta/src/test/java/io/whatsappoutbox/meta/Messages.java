package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.MessageContent;
import io.whatsappoutbox.core.MessageStatus;
import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.OutboundMessageRequest;
import io.whatsappoutbox.core.ProviderError;
import io.whatsappoutbox.core.TestMessages;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Outbound messages as the dispatcher hands them to a provider. */
final class Messages {
    static final String TO = "+33612345678";
    static final Instant NOW = Instant.parse("2025-06-09T10:00:00Z");

    private Messages() {}

    static OutboundMessage whatsapp(String orgId, MessageContent content) {
        return TestMessages.stored(42, OutboundMessageRequest.whatsapp(orgId, TO).content(content)
                .idempotencyKey("key-42").build(), MessageStatus.SENDING, NOW);
    }

    static OutboundMessage whatsapp(MessageContent content) {
        return whatsapp("org-1", content);
    }

    /** Neither the token nor the full recipient number may reach a stored error. */
    static void assertNoSecrets(ProviderError error) {
        String all = error.code() + " " + error.message() + " " + error.details() + " " + error.traceId()
                + " " + error.describe();
        assertThat(all).doesNotContain(TestAccounts.TOKEN_1, TestAccounts.TOKEN_2, TO, TO.substring(1));
    }

    /** The send through the non-blocking path, waited for: what the asynchronous subclasses of the tests send with. */
    static io.whatsappoutbox.core.spi.SendResult sentNonBlocking(MetaCloudProvider p, OutboundMessage message) {
        assertThat(p.nonBlockingCalls()).as("the non-blocking path").isNotNull();
        try {
            return p.sendAsync(message).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage failed instead of answering", e);
        }
    }
}
