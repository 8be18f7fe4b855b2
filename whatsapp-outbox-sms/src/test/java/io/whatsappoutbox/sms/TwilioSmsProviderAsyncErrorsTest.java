package io.whatsappoutbox.sms;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;
import java.util.concurrent.TimeUnit;

/** Twilio's error answers in their real shapes, through {@code sendAsync}: read as the synchronous send reads them. */
class TwilioSmsProviderAsyncErrorsTest extends TwilioSmsProviderErrorsTest {
    @Override
    SendResult send(TwilioSmsProvider p, OutboundMessage message) {
        // the dispatcher sends through sendAsync only when the host asks (Builder.asynchronous); it answers either way
        assertThat(p.isAsynchronous()).isFalse();
        try {
            return p.sendAsync(message).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage failed instead of answering", e);
        }
    }
}
