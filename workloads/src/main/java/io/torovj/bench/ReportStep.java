package io.torovj.bench;

import io.torovj.report.MetricRow;
import io.torovj.report.MetricsCsvWriter;
import io.torovj.report.ReportWriter;
import io.torovj.report.ResultSet;
import io.torovj.report.ResultsSchema;
import java.nio.file.Path;
import java.util.List;

/** The last step of a bench run: metrics.csv, then the report read back from the results folder. */
final class ReportStep {
    private ReportStep() {}

    static Path write(Path repo, Path results, List<MetricRow> rows) throws Exception {
        try (MetricsCsvWriter csv = MetricsCsvWriter.create(results)) {
            csv.writeAll(rows);
        }
        // read back through the validating reader: a schema slip fails the run, not the reader later
        ResultSet run = ResultSet.read(results);
        return new ReportWriter(repo.resolve(ResultsSchema.REPORTS_ROOT)).write(run);
    }
}
