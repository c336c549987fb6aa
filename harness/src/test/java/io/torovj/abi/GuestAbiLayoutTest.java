package io.torovj.abi;

import io.torovj.boot.GuestLayout;
import io.torovj.testing.CProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every constant and offset of {@link GuestAbi}, checked against what gcc computes from torovj_abi.h. */
class GuestAbiLayoutTest {
    private static CProbe C;

    @BeforeAll
    static void compileAndRunProbe(@TempDir Path dir) throws IOException, InterruptedException {
        String[][] checks = {
            {"NULL_PORT", "TOROVJ_NULL_PORT"}, {"NULL_MMIO", "TOROVJ_NULL_MMIO"},
            {"BOOT_MAGIC", "TOROVJ_BOOT_MAGIC"}, {"BOOT_ABI_VERSION", "TOROVJ_ABI_VERSION"},
            {"AT_BOOT_INFO", "TOROVJ_AT_BOOT_INFO"}, {"TRANSPORT_NAME_MAX", "TOROVJ_TRANSPORT_NAME_MAX"},
            {"OFF_MAGIC", "offsetof(struct torovj_boot_info, magic)"},
            {"OFF_ABI_VERSION", "offsetof(struct torovj_boot_info, abi_version)"},
            {"OFF_VCPU_COUNT", "offsetof(struct torovj_boot_info, vcpu_count)"},
            {"OFF_TRANSPORT", "offsetof(struct torovj_boot_info, transport)"},
            {"OFF_REQUEST_BLOCK", "offsetof(struct torovj_boot_info, request_block)"},
            {"OFF_TRANSPORT_AREA", "offsetof(struct torovj_boot_info, transport_area)"},
            {"OFF_TRANSPORT_AREA_SIZE", "offsetof(struct torovj_boot_info, transport_area_size)"},
            {"OFF_DOORBELL_MMIO", "offsetof(struct torovj_boot_info, doorbell_mmio)"},
            {"OFF_DOORBELL_PORT", "offsetof(struct torovj_boot_info, doorbell_port)"},
            {"OFF_LATENCY_BUFFER", "offsetof(struct torovj_boot_info, latency_buffer)"},
            {"BOOT_SIZE", "sizeof(struct torovj_boot_info)"},
            {"REQ_NR", "offsetof(struct torovj_request, nr)"}, {"REQ_ARGS", "offsetof(struct torovj_request, args)"},
            {"REQ_RET", "offsetof(struct torovj_request, ret)"}, {"REQ_SIZE", "sizeof(struct torovj_request)"},
            {"LAT_CAPACITY", "offsetof(struct torovj_latency_buffer, capacity)"},
            {"LAT_COUNT", "offsetof(struct torovj_latency_buffer, count)"},
            {"LAT_SAMPLES", "offsetof(struct torovj_latency_buffer, samples)"},
        };
        C = CProbe.run(dir, List.of("\"torovj_abi.h\""), checks);
    }

    private static void check(String name, long javaValue) {
        C.check(name, javaValue);
    }

    @Test
    void guestAbiMatchesTorovjAbiHeader() {
        check("BOOT_MAGIC", GuestAbi.BOOT_MAGIC);
        check("NULL_PORT", GuestAbi.NULL_PORT);
        check("NULL_MMIO", GuestAbi.NULL_MMIO);
        check("BOOT_ABI_VERSION", GuestAbi.ABI_VERSION);
        check("AT_BOOT_INFO", GuestAbi.AT_BOOT_INFO);
        check("TRANSPORT_NAME_MAX", GuestAbi.TRANSPORT_NAME_MAX);
        check("OFF_MAGIC", GuestAbi.BOOT_MAGIC_OFF);
        check("OFF_ABI_VERSION", GuestAbi.BOOT_ABI_VERSION);
        check("OFF_VCPU_COUNT", GuestAbi.BOOT_VCPU_COUNT);
        check("OFF_TRANSPORT", GuestAbi.BOOT_TRANSPORT);
        check("OFF_REQUEST_BLOCK", GuestAbi.BOOT_REQUEST_BLOCK);
        check("OFF_TRANSPORT_AREA", GuestAbi.BOOT_TRANSPORT_AREA);
        check("OFF_TRANSPORT_AREA_SIZE", GuestAbi.BOOT_TRANSPORT_AREA_SIZE);
        check("OFF_DOORBELL_MMIO", GuestAbi.BOOT_DOORBELL_MMIO);
        check("OFF_DOORBELL_PORT", GuestAbi.BOOT_DOORBELL_PORT);
        check("OFF_LATENCY_BUFFER", GuestAbi.BOOT_LATENCY_BUFFER);
        check("BOOT_SIZE", GuestAbi.BOOT_INFO_SIZE);
        check("REQ_NR", GuestAbi.REQ_NR);
        check("REQ_ARGS", GuestAbi.REQ_ARGS);
        check("REQ_RET", GuestAbi.REQ_RET);
        check("REQ_SIZE", GuestAbi.REQ_SIZE);
        check("LAT_CAPACITY", GuestAbi.LAT_CAPACITY);
        check("LAT_COUNT", GuestAbi.LAT_COUNT);
        check("LAT_SAMPLES", GuestAbi.LAT_SAMPLES);
    }

    @Test
    void theNullMmioDoorbellIsPageOneOfTheDeviceWindow() {
        assertEquals(GuestLayout.DEVICE_WINDOW + GuestLayout.PAGE, GuestAbi.NULL_MMIO);
    }
}
