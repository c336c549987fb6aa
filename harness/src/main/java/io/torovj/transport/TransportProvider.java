package io.torovj.transport;

/**
 * Registry entry for a transport, found with {@link java.util.ServiceLoader}: adding a transport
 * is one class, one guest C file and one line in
 * {@code META-INF/services/io.torovj.transport.TransportProvider}.
 */
public interface TransportProvider {
    /** The transport's name, as on the command line ({@code --transport NAME}). */
    String name();

    /** One line for {@code torovj transports}. */
    String description();

    /** A fresh transport for one VM. */
    SyscallTransport create();
}
