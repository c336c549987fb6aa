package io.torovj.sys;

/**
 * A guest's stdin, stdout and stderr as three memfds, for a VM that runs invocations rather than
 * a terminal session (a pooled VM, a benchmark): stdin is filled before a run, stdout and stderr
 * are read after it, and {@link #renew} readies all three for the next run of the same VM.
 */
public final class MemoryStdio implements AutoCloseable {
    private final MemoryFile stdin, stdout, stderr;

    private MemoryStdio(MemoryFile stdin, MemoryFile stdout, MemoryFile stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Three new memfds named after {@code name}: stdin unsized, stdout and stderr of at most
     * {@code maxStdout} and {@code maxStderr} bytes (a write past them fails, as on a full disk).
     */
    public static MemoryStdio create(String name, long maxStdout, long maxStderr) {
        MemoryFile in = null, out = null;
        try {
            in = MemoryFile.unsized("torovj-stdin-" + name);
            out = MemoryFile.create("torovj-stdout-" + name, maxStdout);
            return new MemoryStdio(in, out, MemoryFile.create("torovj-stderr-" + name, maxStderr));
        } catch (RuntimeException e) {
            if (out != null) out.close();
            if (in != null) in.close();
            throw e;
        }
    }

    public int stdinFd() { return stdin.fd(); }
    public int stdoutFd() { return stdout.fd(); }
    public int stderrFd() { return stderr.fd(); }

    /** The next run's stdin ({@link MemoryFile#fill}). */
    public void fillStdin(byte[] content) { stdin.fill(content); }

    /** What the run wrote to stdout. */
    public byte[] stdoutBytes() { return stdout.writtenBytes(); }

    /** What the run wrote to stderr. */
    public byte[] stderrBytes() { return stderr.writtenBytes(); }

    /** For the next run of the same VM: a fresh, unfilled stdin, and stdout and stderr empty at offset 0. */
    public void renew() {
        stdin.renew();
        stdout.clear();
        stderr.clear();
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } finally {
            try {
                stdout.close();
            } finally {
                stderr.close();
            }
        }
    }
}
