package io.torovj.transport;

/**
 * Registry entry for a transport, found with {@link java.util.ServiceLoader}, and the one place
 * its name and facts live: adding a transport is one class, one guest C file (whose
 * {@code struct torovj_transport} carries the same name) and one line in
 * {@code META-INF/services/io.torovj.transport.TransportProvider}. Tests and benchmarks iterate
 * the registry; a test boots every registered transport, so a Java/C name mismatch fails it.
 */
public interface TransportProvider {
    /** The transport's name, as on the command line ({@code --transport NAME}) and in its guest half. */
    String name();

    /** One line for {@code torovj transports}. */
    String description();

    /** The physical limit the transport is measured against. */
    Floor floor();

    /** A fresh transport for one VM. */
    SyscallTransport create();

    /** What bounds a transport's round trip from below, measured beside it by the benchmark. */
    enum Floor {
        /** An exit per call through an I/O port: an OUT to the null port and back. */
        PORT_IO_EXIT("pio"),
        /** An exit per call through an unbacked page: a store to the null MMIO page and back. */
        MMIO_EXIT("mmio"),
        /** No exit: shared memory polled by a host thread, bounded by a cache line's round trip between two cores. */
        CACHE_LINE_PING_PONG(null);

        private final String nullDoorbell;

        Floor(String nullDoorbell) {
            this.nullDoorbell = nullDoorbell;
        }

        /** True for the floors that are one VM exit per call. */
        public boolean isExit() { return nullDoorbell != null; }

        /** The null doorbell the {@code floor} guest rings for an exit floor ("pio" or "mmio"); null otherwise. */
        public String nullDoorbell() { return nullDoorbell; }
    }
}
