package io.torovj.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * HelloWorld end to end: create the VM, load, run to the guest's exit, tear down (for
 * {@code native}: spawn the process and wait).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class HelloWorldBench {

    /** The baseline: nothing but the benchmark harness's own cost. */
    @Benchmark
    public void baseline() { }

    @Benchmark
    public int helloWorld(TransportState state) {
        return state.run("helloworld");
    }
}
