package io.torovj.bench;

import io.torovj.report.MetricRow;
import io.torovj.report.ResultsSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The metrics.csv rows of one wrk run against httpd (ResultsSchema, "httpd"). */
final class HttpdRows {
    private HttpdRows() {}

    /** wrk's percentiles kept, and the statistic each becomes (its 75% has none). */
    private static final Map<Integer, String> STATISTICS = Map.of(50, ResultsSchema.P50, 90, ResultsSchema.P90,
            99, ResultsSchema.P99, 100, ResultsSchema.MAX);

    static List<MetricRow> of(String transport, WrkRun run) {
        List<MetricRow> rows = new ArrayList<>();
        rows.add(new MetricRow(ResultsSchema.HTTPD, transport, ResultsSchema.THROUGHPUT, ResultsSchema.MEAN,
                run.requestsPerSecond(), null, ResultsSchema.UNIT_PER_S, run.requests()));
        for (int p : List.of(50, 90, 99, 100)) {
            rows.add(new MetricRow(ResultsSchema.HTTPD, transport, ResultsSchema.LATENCY, STATISTICS.get(p),
                    run.percentilesMicros().get(p), null, ResultsSchema.UNIT_US, run.requests()));
        }
        return rows;
    }
}
