package io.whatsappoutbox.jdbc.ops;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runbook's database maintenance checks for the outbox tables, read from PostgreSQL's
 * statistics: sizes, dead tuples, vacuum times, index use, and the autovacuum settings the schema
 * sets on its busiest table.
 */
public record DatabaseHealth(Instant asOf, List<TableHealth> tables, List<IndexHealth> indexes) {
    public DatabaseHealth {
        tables = List.copyOf(tables);
        indexes = List.copyOf(indexes);
    }

    /**
     * @param deadTuplePercent dead / (live + dead), two decimals
     * @param settings the table's storage parameters ({@code autovacuum_vacuum_scale_factor=0.01}, ...)
     */
    public record TableHealth(String table, long totalBytes, long tableBytes, long indexBytes, long liveTuples,
            long deadTuples, double deadTuplePercent, Instant lastVacuum, Instant lastAutovacuum,
            Instant lastAnalyze, Instant lastAutoanalyze, long autovacuumCount, Map<String, String> settings) {
        public TableHealth {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /** @param scans index scans since the statistics were reset: 0 marks an index never used */
    public record IndexHealth(String table, String index, long bytes, long scans, long tuplesRead,
            long tuplesFetched) {}
}
