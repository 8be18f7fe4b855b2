package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.PhoneNumber;

/**
 * Consent records (the runbook's {@code consentement}): a host records what its customers agreed
 * to; the dispatcher checks it before every send; opt-outs (STOP, provider opt-out codes) revoke it.
 */
public interface Consents {

    /** Records a grant. {@code source} says where it came from (web form, call, import ...). */
    void grant(String orgId, PhoneNumber recipient, Channel channel, String source, String actor);

    /** Records a revocation; later sends on the channel go to the dead letter unsent. */
    void revoke(String orgId, PhoneNumber recipient, Channel channel, String source, String actor);

    ConsentStatus status(String orgId, PhoneNumber recipient, Channel channel);
}
