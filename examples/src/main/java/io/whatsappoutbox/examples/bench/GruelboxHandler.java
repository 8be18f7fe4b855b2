package io.whatsappoutbox.examples.bench;

/**
 * The no-op work transaction-outbox invokes for each entry. Public and not final: the peer builds
 * a proxy of it when a call is scheduled.
 */
public class GruelboxHandler {
    private volatile Probe probe = seq -> { };

    void probe(Probe probe) {
        this.probe = probe;
    }

    /** The "provider call" of message {@code seq}. */
    public void send(long seq) {
        probe.called(seq);
    }
}
