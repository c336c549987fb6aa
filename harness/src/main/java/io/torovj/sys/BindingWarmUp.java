package io.torovj.sys;

/**
 * Links the host-library bindings on a thread of their own, for a one-shot command: jnr-ffi
 * generates {@link LibC}'s stubs at its first use, the longest part of a {@code torovj run}'s
 * start (measured on the 2-core host with class-data sharing: jffi's own start-up ~26 ms, LibC's
 * 26 functions ~50 ms, of a run whose JVM lives ~160 ms). Started before the command line is
 * parsed, it runs beside picocli's parse and the ELF's load on the other core. The first real use
 * of LibC waits for it (the JVM's class-initialization lock), so nothing is used half-made; a
 * failure here is the same failure the first use then reports.
 */
public final class BindingWarmUp {
    private BindingWarmUp() {}

    /**
     * Starts the warm-up (a daemon thread: it never keeps the JVM alive). Its task is a class, not
     * a lambda: the process's first lambda links the JDK's lambda machinery, which would then
     * happen here, on the main thread, before the parse.
     */
    public static void start() {
        Thread t = new Thread(new Link(), "torovj-binding-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static final class Link implements Runnable {
        @Override
        public void run() {
            try {
                LibC.INSTANCE.getpid();
            } catch (Throwable e) {
                // not reported here: the first real use of LibC fails the same way and says so
            }
        }
    }
}
