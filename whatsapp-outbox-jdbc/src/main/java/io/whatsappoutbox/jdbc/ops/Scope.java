package io.whatsappoutbox.jdbc.ops;

import io.whatsappoutbox.core.internal.Violations;

/**
 * Whose messages an operation sees: one org, or every org when asked for explicitly. There is no
 * default: a caller that forgets to say cannot act on every tenant by accident.
 */
public sealed interface Scope permits Scope.Org, Scope.AllOrgs {

    /** What the audit table's {@code org_scope} holds for an all-orgs operation (no org id starts with it). */
    String ALL_ORGS_LABEL = "*";

    static Scope org(String orgId) {
        return new Org(orgId);
    }

    static Scope allOrgs() {
        return new AllOrgs();
    }

    /** The org, or null for all orgs: the value bound to {@code (:org IS NULL OR org_id = :org)}. */
    String orgIdOrNull();

    /** The org id, or {@value #ALL_ORGS_LABEL}. */
    default String label() {
        String org = orgIdOrNull();
        return org == null ? ALL_ORGS_LABEL : org;
    }

    /** True when this scope may see {@code orgScope}, an audit row's {@code org_scope}. */
    default boolean covers(String orgScope) {
        return orgIdOrNull() == null || orgIdOrNull().equals(orgScope);
    }

    /** One org's messages only. */
    record Org(String orgId) implements Scope {
        public Org {
            Violations v = new Violations();
            v.orgId("org", orgId);
            v.throwIfAny("scope");
        }

        @Override
        public String orgIdOrNull() {
            return orgId;
        }
    }

    /** Every org: only when the caller says so. */
    record AllOrgs() implements Scope {
        @Override
        public String orgIdOrNull() {
            return null;
        }
    }
}
