/**
 * Benchmark results and their HTML report.
 *
 * <p>The benchmark run writes {@code results/<run-id>/} as {@link io.torovj.report.ResultsSchema} describes:
 * {@code metrics.csv} with {@link io.torovj.report.MetricsCsvWriter}, HdrHistogram logs at
 * {@link io.torovj.report.ResultsSchema#hdrLog(java.nio.file.Path, String, String)} (or with
 * {@link io.torovj.report.HdrLogs#write}), {@code environment.json} and {@code jmh.json}. Then:
 *
 * <pre>{@code
 * ResultSet run = ResultSet.read(resultsDir);                     // validates; ResultsException names file:line
 * Path index = new ReportWriter(ReportWriter.defaultReportsRoot(resultsDir)).write(run);  // + reports/latest/
 * }</pre>
 *
 * <p>From the command line: {@code java -jar workloads/target/torovj-report.jar
 * [--out DIR] RESULTS_DIR...} ({@link io.torovj.report.ReportCommand}); several folders also give a comparison.
 */
package io.torovj.report;
