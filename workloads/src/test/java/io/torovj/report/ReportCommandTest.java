package io.torovj.report;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.*;

class ReportCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = ReportCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void missingFolderIsOneLineAndNonZero() {
        Path missing = tmp.resolve("results").resolve("20260101-000000");
        int status = run(missing.toString());
        assertEquals(1, status);
        String e = err.toString();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("report: " + missing + ": no such results folder"), e);
        assertEquals("", out.toString());
    }

    @Test
    void badCsvNamesTheLine() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("results").resolve("bad"));
        Files.writeString(dir.resolve("metrics.csv"), ResultsValidationTest.HEADER
                + "nullcall,pio,latency,mean,fast,,ns,1\n");
        assertEquals(1, run(dir.toString()));
        assertEquals(1, err.toString().lines().count());
        assertTrue(err.toString().contains("metrics.csv:2: value 'fast' is not a finite number"), err.toString());
    }

    @Test
    void usageErrorsAreOneLine() {
        assertEquals(2, run());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("report: Missing required parameter"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("--bogus", "x"));
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void defaultOutIsReportsBesideResults() throws Exception {
        SyntheticResults.Written w = SyntheticResults.write(tmp.resolve("results").resolve("20261127-191100"), 9,
                1.0, 4_000);
        assertEquals(0, run(w.dir().toString()), err.toString());
        Path index = tmp.resolve("reports").resolve("20261127-191100").resolve("index.html");
        assertTrue(Files.isRegularFile(index));
        assertTrue(Files.isRegularFile(tmp.resolve("reports").resolve("latest").resolve("index.html")));
        assertTrue(out.toString().contains("report: wrote " + index), out.toString());
        assertEquals(tmp.resolve("reports"), ReportWriter.defaultReportsRoot(w.dir()));
    }

    @Test
    void severalFoldersAndOut() throws Exception {
        SyntheticResults.Written a = SyntheticResults.write(tmp.resolve("hostA").resolve("20261127-100000"), 1,
                1.0, 4_000);
        SyntheticResults.Written b = SyntheticResults.write(tmp.resolve("hostB").resolve("20261127-100000"), 2,
                0.7, 4_000);
        Path outDir = tmp.resolve("out");
        assertEquals(0, run("--out", outDir.toString(), a.dir().toString(), b.dir().toString()), err.toString());
        Path cmp = outDir.resolve("compare-20261127-100000_vs_hostB-20261127-100000").resolve("index.html");
        assertTrue(Files.isRegularFile(cmp), out.toString());
        String html = Files.readString(cmp);
        assertTrue(html.contains("hostB-20261127-100000 ÷ 20261127-100000"), "equal run ids get distinct labels");
        assertTrue(html.contains("../../hostA/20261127-100000/metrics.csv"), "relative links work from --out");
    }
}
