package io.whatsappoutbox.jdbc.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads the tables directly, as an operator would, to check what the library wrote. Timestamps
 * come back as {@link java.time.Instant}.
 */
public final class Sql {
    private final DataSource ds;

    public Sql(DataSource ds) {
        this.ds = ds;
    }

    public long count(String sql, Object... args) {
        return ((Number) one(sql, args)).longValue();
    }

    public Object one(String sql, Object... args) {
        List<Map<String, Object>> rows = rows(sql, args);
        if (rows.size() != 1) {
            throw new IllegalStateException("expected one row, got " + rows.size());
        }
        return rows.get(0).values().iterator().next();
    }

    public List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            if (!p.execute()) {
                return out;
            }
            try (ResultSet rs = p.getResultSet()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= n; i++) {
                        Object value = "timestamptz".equals(rs.getMetaData().getColumnTypeName(i))
                                ? instant(rs.getObject(i, java.time.OffsetDateTime.class)) : rs.getObject(i);
                        row.put(rs.getMetaData().getColumnLabel(i), value);
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static java.time.Instant instant(java.time.OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    public int update(String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setObject(i + 1, args[i]);
            }
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Status counts of all messages, for checks that nothing was lost. */
    public Map<String, Long> statusCounts() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows("SELECT status, count(*) AS n FROM outbound_message GROUP BY status ORDER BY status")) {
            out.put((String) r.get("status"), ((Number) r.get("n")).longValue());
        }
        return out;
    }
}
