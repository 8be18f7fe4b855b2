package io.whatsappoutbox.core;

/**
 * Which of an org's due messages a claim takes first: HIGH before NORMAL before LOW, then the
 * oldest. Only inside an org's lane: every org still gets its share of each claim, whatever
 * another org queued at HIGH.
 */
public enum Priority {
    /** A visit confirmation, an OTP: ahead of the org's campaign backlog. */
    HIGH,
    NORMAL,
    /** A campaign that may wait for everything else of the org. */
    LOW;

    /** The stored rank: 0 for HIGH, 1 for NORMAL, 2 for LOW. */
    public int rank() {
        return ordinal();
    }

    /** The priority of a stored rank. */
    public static Priority ofRank(int rank) {
        if (rank < 0 || rank > 2) {
            throw new IllegalArgumentException("no priority of rank " + rank);
        }
        return values()[rank];
    }
}
