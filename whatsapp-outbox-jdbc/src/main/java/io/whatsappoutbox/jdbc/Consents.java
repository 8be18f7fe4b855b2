package io.whatsappoutbox.jdbc;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ConsentPurpose;
import io.whatsappoutbox.core.ConsentStatus;
import io.whatsappoutbox.core.PhoneNumber;

/**
 * Consent records (the runbook's {@code consentement}), one per org, recipient, channel and
 * purpose: a host records what its customers agreed to; the dispatcher checks the consent of the
 * message's purpose before every send; opt-outs (STOP typed, provider opt-out codes) revoke every
 * purpose of the channel, Meta's marketing stop (and error 131050) the MARKETING one only.
 */
public interface Consents {

    /** Records a grant. {@code source} says where it came from (web form, call, import ...). */
    void grant(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose, String source, String actor);

    /** Records a revocation; later sends of that purpose on the channel go to the dead letter unsent. */
    void revoke(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose, String source, String actor);

    ConsentStatus status(String orgId, PhoneNumber recipient, Channel channel, ConsentPurpose purpose);

    /** Records a TRANSACTIONAL grant. */
    default void grant(String orgId, PhoneNumber recipient, Channel channel, String source, String actor) {
        grant(orgId, recipient, channel, ConsentPurpose.TRANSACTIONAL, source, actor);
    }

    /** Records a TRANSACTIONAL revocation. */
    default void revoke(String orgId, PhoneNumber recipient, Channel channel, String source, String actor) {
        revoke(orgId, recipient, channel, ConsentPurpose.TRANSACTIONAL, source, actor);
    }

    /** The TRANSACTIONAL consent. */
    default ConsentStatus status(String orgId, PhoneNumber recipient, Channel channel) {
        return status(orgId, recipient, channel, ConsentPurpose.TRANSACTIONAL);
    }
}
