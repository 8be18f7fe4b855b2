package io.whatsappoutbox.meta;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;

/** Every failure of the call, through {@code sendAsync}: answered exactly as the synchronous send answers it. */
class MetaCloudProviderAsyncFailureTest extends MetaCloudProviderFailureTest {
    @Override
    protected SendResult send(MetaCloudProvider provider, OutboundMessage message) {
        return sendAsyncAndWait(provider, message);
    }

    @Override
    protected boolean asynchronous() {
        return true;
    }
}
