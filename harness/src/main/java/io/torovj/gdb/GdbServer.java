package io.torovj.gdb;

import io.torovj.kvm.Vcpu;
import io.torovj.memory.GuestMemory;
import io.torovj.lifecycle.VmControl;
import io.torovj.vmm.DebugHook;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The GDB remote stub of one VM: {@code torovj run --gdb PORT}. Listens (loopback unless told
 * otherwise) from construction, so that a busy port is reported before the VM is built; serves
 * one gdb connection at a time, on its own thread, once the VM {@linkplain #attach attaches}.
 *
 * <p>Connections: a new connection stops the guest (it starts halted at its entry point
 * anyway). If gdb detaches (D), its breakpoints are lifted and the guest runs on without a
 * debugger; if the connection just drops, the breakpoints are lifted too but a stopped guest
 * stays stopped for the next connection. When the VM ends, gdb waiting for a stop gets the exit
 * (W) or the fatal signal (X) and the connection closes.
 *
 * <p>Trust: whoever connects controls the guest (its memory, registers, where it runs) within
 * the VM's boundary and policy; nothing it sends reaches host memory outside guest RAM. Loopback
 * only keeps other hosts out, not other local users.
 */
public final class GdbServer implements DebugHook.Factory, AutoCloseable {
    private final ServerSocket listener;
    private volatile GuestDebugger debugger;
    private volatile Thread acceptor;
    private volatile Socket active;
    private volatile boolean closed;

    private GdbServer(ServerSocket listener) {
        this.listener = listener;
    }

    /** Binds {@code bindAddress}:{@code port} (port 0: any free port). */
    public static GdbServer listen(String bindAddress, int port) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--gdb port must be 0..65535, not " + port);
        InetAddress address = InetAddress.getByName(bindAddress);
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port), 1);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new GdbServer(socket);
    }

    /** "127.0.0.1:1234". */
    public String address() {
        String host = listener.getInetAddress().getHostAddress();
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        return host + ":" + listener.getLocalPort();
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public synchronized DebugHook attach(GuestMemory memory, Vcpu vcpu, VmControl control) {
        if (debugger != null) throw new IllegalStateException("a gdb server debugs one VM");
        GuestDebugger d = new GuestDebugger(memory, vcpu, control);
        debugger = d;
        Thread t = new Thread(() -> serve(d), "torovj-gdb");
        t.setDaemon(true);
        acceptor = t;
        t.start();
        return d;
    }

    private void serve(GuestDebugger d) {
        while (!closed && d.end() == null) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;                     // closed
            }
            active = s;
            try {
                s.setTcpNoDelay(true);
                if (closed || new GdbSession(s, d).run()) return;
            } catch (IOException | RuntimeException e) {
                // a broken connection (or a bug in handling one) ends that connection only
                d.release(false);
            } finally {
                active = null;
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /**
     * Stops serving: lets a connection that is reporting the VM's end finish (briefly), then
     * closes everything and releases a vCPU thread still waiting for gdb.
     */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Thread t = acceptor;
        if (t != null) {
            join(t, 2000);
            Socket s = active;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            join(t, 2000);
        }
        GuestDebugger d = debugger;
        if (d != null) d.close();
    }

    private static void join(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
