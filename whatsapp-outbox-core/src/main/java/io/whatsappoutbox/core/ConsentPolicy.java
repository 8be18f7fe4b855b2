package io.whatsappoutbox.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which consent each channel needs before a send. By default both WhatsApp and SMS need an
 * explicit grant, as the runbook requires for WhatsApp.
 */
public final class ConsentPolicy {
    /** How much consent a channel needs. */
    public enum Requirement {
        /** An explicit grant on record. */
        GRANTED,
        /** Anything but a revocation (implied consent, for transactional SMS where the law allows it). */
        NOT_REVOKED,
        /** No check: the host checks consent itself. */
        NONE
    }

    private final Map<Channel, Requirement> byChannel;

    private ConsentPolicy(Map<Channel, Requirement> byChannel) {
        this.byChannel = Map.copyOf(byChannel);
    }

    public static ConsentPolicy requireGrant() {
        Map<Channel, Requirement> m = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            m.put(c, Requirement.GRANTED);
        }
        return new ConsentPolicy(m);
    }

    public ConsentPolicy with(Channel channel, Requirement requirement) {
        Map<Channel, Requirement> m = new EnumMap<>(byChannel);
        m.put(Objects.requireNonNull(channel, "channel"), Objects.requireNonNull(requirement, "requirement"));
        return new ConsentPolicy(m);
    }

    public Requirement requirement(Channel channel) {
        return byChannel.getOrDefault(channel, Requirement.GRANTED);
    }

    /** Whether a message on {@code channel} may go to a recipient whose consent is {@code status}. */
    public boolean allows(Channel channel, ConsentStatus status) {
        return switch (requirement(channel)) {
            case GRANTED -> status == ConsentStatus.GRANTED;
            case NOT_REVOKED -> status != ConsentStatus.REVOKED;
            case NONE -> true;
        };
    }
}
