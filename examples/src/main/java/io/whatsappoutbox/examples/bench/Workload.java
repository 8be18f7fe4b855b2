package io.whatsappoutbox.examples.bench;

/** The messages every contender handles: numbered, spread over a few orgs, one recipient each. */
final class Workload {
    private final int orgs;

    Workload(int orgs) {
        this.orgs = orgs;
    }

    int orgs() {
        return orgs;
    }

    String org(long seq) {
        return orgName((int) (seq % orgs));
    }

    static String orgName(int i) {
        return "org-" + (i + 1);
    }

    static String phone(long seq) {
        return String.format("+336%08d", seq);
    }

    static String key(long seq) {
        return "m-" + seq;
    }

    static long seqOfKey(String key) {
        return Long.parseLong(key.substring(2));
    }

    /** A phone number id per org, for the provider configs. */
    static String phoneNumberId(int org) {
        return String.valueOf(100_000_000_000_001L + org);
    }
}
