package io.torovj.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.policy.SyscallPolicy;
import io.torovj.vmm.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same guest program, unchanged, under every transport and natively: identical stdout, exit
 * status and side effects.
 */
class ConformanceTest {
    @TempDir Path root;


    private void sameAsNative(Platform.Kind platform, String transport, String program, String... args) throws Exception {
        Object[] nativeRun = GuestRun.runNative(program, List.of(), args);
        GuestRun.Outcome vm = GuestRun.run(platform, transport, SyscallPolicy.permissive(root.toRealPath()), program, args);
        assertEquals(0, (int) nativeRun[0], program + " natively");
        assertEquals(nativeRun[1], vm.stdout(), program + " stdout");
        assertEquals(0, vm.vm().status(), program + ": " + vm.vm().report() + "\n" + vm.stderr() + vm.log());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void computeAndMemoryWorkloadsMatchNative(Platform.Kind platform, String transport) throws Exception {
        sameAsNative(platform, transport, "helloworld");
        sameAsNative(platform, transport, "nullcall", "2000");
        sameAsNative(platform, transport, "write", "2000", "64");
        sameAsNative(platform, transport, "mmap", "200", "16");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void guestLibcFormatsLikeGlibc(Platform.Kind platform, String transport) throws Exception {
        // printf_test checks 55 snprintf cases against strings glibc produces
        sameAsNative(platform, transport, "printf_test");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void fileioMatchesNativeAndLeavesNoFile(Platform.Kind platform, String transport) throws Exception {
        String dir = root.toRealPath().toString();
        sameAsNative(platform, transport, "fileio", "65536", dir);
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(0, left.count(), "fileio unlinks its file");
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void echoServerEchoesEveryMessage(Platform.Kind platform, String transport) throws Exception {
        int messages = 20;
        int port = freePort();
        CompletableFuture<byte[]> client = CompletableFuture.supplyAsync(() -> talk(port, messages));
        GuestRun.Outcome vm = GuestRun.run(platform, transport, SyscallPolicy.permissive(root.toRealPath()), "echo",
                Integer.toString(port), Integer.toString(messages));
        byte[] echoed = client.get(30, TimeUnit.SECONDS);
        assertEquals(0, vm.vm().status(), vm.vm().report() + vm.stderr() + vm.log());
        assertArrayEquals(expected(messages), echoed);
        assertEquals("echo: " + expected(messages).length + " bytes\n", vm.stdout());

        int nativePort = freePort();
        CompletableFuture<byte[]> nativeClient = CompletableFuture.supplyAsync(() -> talk(nativePort, messages));
        Object[] nativeRun = GuestRun.runNative("echo", List.of(), Integer.toString(nativePort), Integer.toString(messages));
        assertArrayEquals(expected(messages), nativeClient.get(30, TimeUnit.SECONDS));
        assertEquals(nativeRun[1], vm.stdout().replace(Integer.toString(port), Integer.toString(nativePort)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.torovj.e2e.GuestRun#platforms")
    void ringTransportMakesNoVmExitPerSyscall(Platform.Kind platform) throws Exception {
        GuestRun.Outcome ring = GuestRun.run(platform, "ring", SyscallPolicy.defaultPolicy(), "nullcall", "10000");
        assertEquals(0, ring.vm().status(), ring.vm().report());
        assertTrue(ring.vm().syscalls() >= 10_000, "syscalls: " + ring.vm().syscalls());
        assertTrue(ring.vm().vcpuExits() < 10, "KVM_RUN returned " + ring.vm().vcpuExits() + " times for 10000 syscalls");
        GuestRun.Outcome pio = GuestRun.run(platform, "pio", SyscallPolicy.defaultPolicy(), "nullcall", "10000");
        assertTrue(pio.vm().vcpuExits() >= 10_000, "pio exits once per syscall: " + pio.vm().vcpuExits());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("io.torovj.e2e.GuestRun#everywhere")
    void latencySamplesReachTheMonitor(Platform.Kind platform, String transport) throws Exception {
        GuestRun.Outcome o = GuestRun.run(platform, transport, SyscallPolicy.defaultPolicy(), List.of(), 1000, "nullcall", "1500");
        assertEquals(0, o.vm().status(), o.vm().report());
        assertEquals(1000, o.vm().latencyCycles().length);
        assertEquals(500, o.vm().latencyDropped());
        for (long cycles : o.vm().latencyCycles()) assertTrue(cycles > 0, "a timed call takes some cycles");
        assertFalse(o.stdout().isEmpty());
    }

    private static byte[] expected(int messages) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < messages; i++) sb.append("message ").append(i).append(" from the host\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Connects (retrying while the guest starts), sends each message and reads its echo. */
    private static byte[] talk(int port, int messages) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(20_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < messages; i++) {
                    byte[] msg = ("message " + i + " from the host\n").getBytes(StandardCharsets.US_ASCII);
                    out.write(msg);
                    out.flush();
                    all.write(in.readNBytes(msg.length));
                }
                return all.toByteArray();
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("echo guest never answered on " + port, e);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
