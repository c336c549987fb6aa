package io.torovj.bench;

import io.torovj.log.MonitorLog;
import io.torovj.sys.MemoryStdio;
import io.torovj.vmm.Vm;
import io.torovj.vmm.VmBuilder;
import io.torovj.vmm.VmConfig;
import io.torovj.vmm.VmResult;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * One reusable HelloWorld VM with memfd stdio, as a pool worker holds it, driven on the thread
 * that built it (its vCPU's): {@link #cycle} is a warm invocation's whole cost to a worker (issue
 * 11's "reset + run + collect"), without the pool's queue and thread hand-offs.
 */
final class PooledHelloVm implements AutoCloseable {
    private static final byte[] EMPTY = new byte[0];

    private final MemoryStdio stdio = MemoryStdio.create("bench", 1 << 16, 1 << 16);
    private final Vm vm;
    private boolean ran;

    PooledHelloVm(String transport) throws Exception {
        VmConfig.Builder b = VmConfig.builder(BenchPaths.guest("helloworld").toAbsolutePath()).transport(transport)
                .memorySize(8L << 20).stdio(stdio.stdinFd(), stdio.stdoutFd(), stdio.stderrFd()).reusable(true)
                .platform(GuestLauncher.platform()).log(new MonitorLog(new PrintStream(OutputStream.nullOutputStream())));
        String launcher = System.getProperty("torovj.vcpuProcess");
        if (launcher != null) b.processLauncher(Path.of(launcher));
        vm = VmBuilder.build(b.build());
    }

    /** Reset (after the first run), run HelloWorld with an empty stdin, collect its stdout; its length. */
    int cycle() {
        if (ran) {
            vm.reset();
            stdio.renew();
        }
        ran = true;
        stdio.fillStdin(EMPTY);
        VmResult r = vm.run();
        if (r.status() != 0) throw new IllegalStateException("hello ended " + r.ending() + " " + r.report());
        return stdio.stdoutBytes().length;
    }

    @Override
    public void close() {
        try {
            vm.close();
        } finally {
            stdio.close();
        }
    }
}
