package io.torovj.report;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.torovj.report.ResultsSchema.*;
import static org.junit.jupiter.api.Assertions.*;

class ResultsValidationTest {
    static final String HEADER = "workload,transport,metric,statistic,value,error,unit,samples\n";

    @TempDir
    Path tmp;

    private Path folder(String csv) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("results").resolve("run"));
        Files.writeString(dir.resolve(METRICS_CSV), csv);
        return dir;
    }

    private ResultsException fails(String csv) throws Exception {
        Path dir = folder(csv);
        return assertThrows(ResultsException.class, () -> ResultSet.read(dir));
    }

    @Test
    void wrongHeaderNamesLineOne() throws Exception {
        ResultsException e = fails("workload,transport,metric,stat,value,error,unit,samples\n"
                + "nullcall,pio,latency,mean,1,,ns,1\n");
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("metrics.csv:1: wrong header"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 'workload,transport,metric,statistic,value,error,unit,samples'"));

        assertEquals(1, fails("").line(), "an empty file has a wrong header");
        assertEquals(1, fails("workload,transport,metric,statistic,value,unit,error,samples\n").line(),
                "column order matters");
    }

    @Test
    void nonNumericValueNamesFileAndLine() throws Exception {
        ResultsException e = fails(HEADER + "nullcall,pio,latency,mean,4500,12,ns,15\n"
                + "nullcall,pio,latency,p50,abc,,ns,1000\n");
        assertEquals(3, e.line());
        assertTrue(e.file().endsWith(Path.of("run", METRICS_CSV)));
        assertTrue(e.getMessage().endsWith("metrics.csv:3: value 'abc' is not a finite number"), e.getMessage());
    }

    @Test
    void everyFieldIsChecked() throws Exception {
        String ok = "nullcall,pio,latency,mean,4500,12,ns,15\n";
        assertMessage(HEADER + ok + "nullcall,pio,latncy,mean,1,,ns,1\n", 3, "unknown metric 'latncy'");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p95,1,,ns,1\n", 3, "unknown statistic 'p95'");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,1,,s,1\n", 3, "unknown unit 's'");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,1,,bytes,1\n", 3, "does not fit metric 'latency'");
        assertMessage(HEADER + ok + "helloworld,pio,guest_resident,max,1,,ns,1\n", 3, "does not fit");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,1,3,ns,1\n", 3, "error is only for the mean");
        assertMessage(HEADER + ok + "nullcall,pio,latency,mean,1,-1,ns,1\n", 3, "error -1.0 is not a finite number >= 0");
        assertMessage(HEADER + ok + "nullcall,pio,latency,mean,1e999,,ns,1\n", 3, "value '1e999' is not a finite");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,NaN,,ns,1\n", 3, "value 'NaN'");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,1,,ns,1.5\n", 3, "samples '1.5' is not an integer");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,1,,ns\n", 3, "expected 8 fields but found 7");
        assertMessage(HEADER + ok + "null call,pio,latency,p50,1,,ns,1\n", 3, "workload name 'null call'");
        assertMessage(HEADER + ok + "nullcall,,latency,p50,1,,ns,1\n", 3, "transport name ''");
        assertMessage(HEADER + ok + "write,pio,latency,mean,1,,ns,1\n" + ok, 4,
                "duplicate row nullcall/pio/latency/mean (first at line 2)");
        assertMessage(HEADER + ok + "nullcall,pio,latency,p50,\"1,,ns,1\n", 3, "malformed CSV");
        assertMessage(HEADER + ok + "\n\nnullcall,pio,latency,p50,x,,ns,1\n", 5, "value 'x'");
        assertMessage(HEADER + ok + "echo,pio,latency,p50,\"1\n\",,ns,1\nnullcall,pio,latency,p50,y,,ns,1", 5,
                "value 'y'");
        assertMessage("\uFEFF" + HEADER + "nullcall,pio,latency,mean,4500,12,ms,15\r\nnullcall,pio,latency,p50,z,,ns,1"
                + "\r\n", 3, "value 'z'");
    }

    private void assertMessage(String csv, long line, String text) throws Exception {
        ResultsException e = fails(csv);
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("metrics.csv:" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(text), "'" + e.getMessage() + "' contains '" + text + "'");
    }

    @Test
    void goodRowsWithOptionalPartsAreAccepted() throws Exception {
        Path dir = folder(HEADER + "nullcall,pio,latency,mean,4500.5,,ns,15\r\n"
                + "floor-exit,my-transport,latency,p999,1.25,,us,100000\n\n"
                + "helloworld,native,native_peak_rss,max,1150000,,bytes,1\n");
        ResultSet rs = ResultSet.read(dir);
        assertEquals(3, rs.rows().size());
        assertNull(rs.rows().get(0).error());
        assertEquals(1250, rs.rows().get(1).baseValue(), 1e-9);
        assertEquals(java.util.List.of(NATIVE, "pio", "my-transport"), rs.transports());
        assertTrue(rs.warnings().stream().anyMatch(w -> w.contains("no environment.json")));
        assertTrue(rs.warnings().stream().anyMatch(w -> w.contains("no jmh.json")));
    }

    @Test
    void environmentJsonIsChecked() throws Exception {
        Path dir = folder(HEADER);
        Files.writeString(dir.resolve(ENVIRONMENT_JSON), "{\n  \"cpu_model\": \"x\",\n  \"cores\": 2,,\n}\n");
        ResultsException e = assertThrows(ResultsException.class, () -> ResultSet.read(dir));
        assertEquals(3, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("environment.json:3: malformed JSON"), e.getMessage());

        Files.writeString(dir.resolve(ENVIRONMENT_JSON), "[1, 2]");
        assertTrue(assertThrows(ResultsException.class, () -> ResultSet.read(dir)).getMessage()
                .contains("expected a JSON object"));

        Files.writeString(dir.resolve(ENVIRONMENT_JSON), "{\"cores\": 4, \"mode\": \"turbo\"}");
        ResultSet rs = ResultSet.read(dir);
        assertTrue(rs.warnings().stream().anyMatch(w -> w.contains("lacks cpu_model, kernel")));
        assertTrue(rs.warnings().stream().anyMatch(w -> w.contains("unknown mode 'turbo'")));
        assertEquals("4", rs.env(ENV_CORES).orElseThrow());
    }

    @Test
    void missingFolderOrCsv() throws Exception {
        ResultsException e = assertThrows(ResultsException.class,
                () -> ResultSet.read(tmp.resolve("results").resolve("nope")));
        assertTrue(e.getMessage().endsWith("nope: no such results folder"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(ResultsException.class, () -> ResultSet.read(empty)).getMessage()
                .contains("not a results folder: no metrics.csv"));
    }

    @Test
    void writerRefusesWhatTheReaderWouldRefuse() throws Exception {
        StringWriter out = new StringWriter();
        try (MetricsCsvWriter w = new MetricsCsvWriter(out)) {
            w.mean(NULLCALL, "pio", LATENCY, 4500, 12, UNIT_NS, 15);
            assertThrows(IllegalArgumentException.class, () -> w.mean(NULLCALL, "pio", LATENCY, 1, 1, UNIT_NS, 1));
            assertThrows(IllegalArgumentException.class, () -> w.stat(NULLCALL, "pio", "latncy", P50, 1, UNIT_NS, 1));
            assertThrows(IllegalArgumentException.class, () -> w.stat(NULLCALL, "pio", LATENCY, P50, 1, "s", 1));
            assertThrows(IllegalArgumentException.class, () -> w.stat("a/b", "pio", LATENCY, P50, 1, UNIT_NS, 1));
            w.mean(WRITE, "pio", LATENCY, 300, Double.NaN, UNIT_NS, 1); // JMH's NaN error: written empty
        }
        assertEquals(HEADER + "nullcall,pio,latency,mean,4500,12,ns,15\nwrite,pio,latency,mean,300,,ns,1\n",
                out.toString());
    }

    @Test
    void numbersRoundTripInPlainNotation() {
        Random r = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            double v = Math.abs(r.nextGaussian()) * Math.pow(10, r.nextInt(24) - 12);
            String s = MetricsCsvWriter.number(v);
            assertFalse(s.contains("E"), s);
            assertEquals(v, Double.parseDouble(s), 0.0, s);
        }
        assertEquals("4500", MetricsCsvWriter.number(4500.0));
        assertEquals("0.000123", MetricsCsvWriter.number(0.000123));
    }

    @Test
    void runIdsAndPaths() {
        Instant t = Instant.parse("2026-11-27T19:11:05Z");
        assertEquals("20261127-191105-abc1234", runId(t, "abc1234"));
        assertEquals("20261127-191105", runId(t, null));
        assertTrue(RUN_ID.matcher(runId(t, "abc1234")).matches());
        assertEquals(Path.of("r", "hdr", "floor-exit-pio.hlog"), hdrLog(Path.of("r"), FLOOR_EXIT, "pio"));
        assertEquals("us", unitOf(TimeUnit.MICROSECONDS));
    }

    @Test
    void thinkWorkloadsNameTheirThinkTimeInNanoseconds() {
        assertEquals("think-0", thinkWorkload(0));
        assertEquals("think-1000000", thinkWorkload(1_000_000));
        assertEquals(1_000_000, thinkNanos("think-1000000"));
        assertEquals(0, thinkNanos("think-0"));
        for (String w : List.of("think-", "think-01", "think-1us", "think--5", "nullcall", "think-12345678901")) {
            assertFalse(isThink(w), w);
            assertEquals(-1, thinkNanos(w), w);
        }
        assertThrows(IllegalArgumentException.class, () -> thinkWorkload(-1));
        for (long t : THINK_TIMES_NS) {
            assertTrue(NAME.matcher(thinkWorkload(t)).matches(), "a valid workload name");
            assertFalse(isFloor(thinkWorkload(t)));
        }
    }
}
