package io.whatsappoutbox.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.whatsappoutbox.core.OutboundMessage;
import io.whatsappoutbox.core.spi.SendResult;

/**
 * Every failure of the call, through {@code sendAsync} of a provider built {@code asynchronous}:
 * its own client's calls go through the non-blocking client (Apache HttpClient 5), a host's OkHttp client's through
 * OkHttp's enqueue; answered exactly as the synchronous send answers them.
 */
class MetaCloudProviderAsyncFailureTest extends MetaCloudProviderFailureTest {
    @Override
    protected SendResult send(MetaCloudProvider provider, OutboundMessage message) {
        return sendAsyncAndWait(provider, message);
    }

    @Override
    protected boolean asynchronous() {
        return true;
    }

    /** The non-blocking client keeps no connection in OkHttp's pool: no call of its own left after the send. */
    @Override
    protected void assertHoldsItsOwnClient(MetaCloudProvider provider) {
        MetaNonBlockingCalls calls = provider.nonBlockingCalls();
        assertThat(calls).as("its own client's asynchronous path").isNotNull();
        assertThat(calls.running()).isZero();
        assertThat(calls.closing()).isFalse();
        assertThat(provider.httpClient().connectionPool().connectionCount()).as("OkHttp's pool, unused").isZero();
    }

    @Override
    protected void assertReleasedItsOwnClient(MetaCloudProvider provider) {
        super.assertReleasedItsOwnClient(provider);
        assertThat(provider.nonBlockingCalls().released()).as("the non-blocking client closed").isTrue();
    }
}
