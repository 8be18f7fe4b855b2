package io.whatsappoutbox.jdbc.internal;

/** A lane of the queue: an org on a channel, ordered as the claim index orders them. Internal. */
record Lane(String orgId, String channel) implements Comparable<Lane> {
    /** Above every lane: a walk from here starts at the top. */
    static final Lane TOP = new Lane("", "");

    @Override
    public int compareTo(Lane other) {
        int c = orgId.compareTo(other.orgId);
        return c != 0 ? c : channel.compareTo(other.channel);
    }
}
