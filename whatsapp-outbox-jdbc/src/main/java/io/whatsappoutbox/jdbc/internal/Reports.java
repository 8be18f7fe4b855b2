package io.whatsappoutbox.jdbc.internal;

import io.whatsappoutbox.core.Channel;
import io.whatsappoutbox.core.ErrorCategory;
import io.whatsappoutbox.jdbc.ops.AffectedOrg;
import io.whatsappoutbox.jdbc.ops.CategoryCount;
import io.whatsappoutbox.jdbc.ops.ErrorCodeCount;
import io.whatsappoutbox.jdbc.ops.Scope;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;

/** What the report queries share: scope binding, rounding, the dead-letter breakdowns. Internal. */
final class Reports {
    private Reports() {}

    static <T extends SqlStatement<T>> T scope(T statement, Scope scope, Channel channel) {
        return statement.bind("org", scope.orgIdOrNull()).bind("channel", channel == null ? null : channel.name());
    }

    static double round1(double value) {
        return BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).doubleValue();
    }

    static double round2(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).doubleValue();
    }

    static ErrorCategory category(String name) {
        return MessageRows.category(name);
    }

    /** Dead letters by code, since {@code since} (null: all). */
    static List<ErrorCodeCount> byCode(Handle h, Scope scope, Channel channel, Instant since, int limit) {
        return scope(h.createQuery(ReportSql.FAILURES_BY_CODE), scope, channel)
                .bind("since", since)
                .bind("limit", limit)
                .map((rs, ctx) -> new ErrorCodeCount(rs.getString("error_code"), category(rs.getString("category")),
                        rs.getLong("n"), rs.getDouble("percentage"), rs.getString("sample"),
                        Times.instant(rs, "first_seen"), Times.instant(rs, "last_seen"), rs.getLong("orgs")))
                .list();
    }

    static List<CategoryCount> byCategory(Handle h, Scope scope, Channel channel, Instant since) {
        return scope(h.createQuery(ReportSql.FAILURES_BY_CATEGORY), scope, channel)
                .bind("since", since)
                .map((rs, ctx) -> CategoryCount.of(category(rs.getString("category")), rs.getLong("n"),
                        rs.getDouble("percentage"), rs.getLong("orgs")))
                .list();
    }

    static List<AffectedOrg> affectedOrgs(Handle h, Scope scope, Channel channel, Instant since, int limit) {
        return scope(h.createQuery(ReportSql.AFFECTED_ORGS), scope, channel)
                .bind("since", since)
                .bind("limit", limit)
                .map((rs, ctx) -> new AffectedOrg(rs.getString("org_id"), rs.getLong("failures"),
                        rs.getLong("recipients"), rs.getLong("codes")))
                .list();
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
