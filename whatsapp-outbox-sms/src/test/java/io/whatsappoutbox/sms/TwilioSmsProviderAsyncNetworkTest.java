package io.whatsappoutbox.sms;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;

/** Every failure of the call, through {@code sendAsync}: answered exactly as the synchronous send answers it. */
class TwilioSmsProviderAsyncNetworkTest extends TwilioSmsProviderNetworkTest {
    @Override
    protected SendResult send(TwilioSmsProvider provider, OutboundMessage message) {
        return sendAsyncAndWait(provider, message);
    }

    @Override
    protected boolean asynchronous() {
        return true;
    }
}
