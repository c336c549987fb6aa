package io.torovj.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What kind of KVM this host has: hardware VMX or SVM, or PVM (shadow paging, no hardware
 * virtualization; CPL0 guest code is emulated there), and whether the host is itself a guest.
 */
public record KvmFlavour(Kind kind, boolean nested, boolean deviceAvailable) {

    public enum Kind { VMX, SVM, PVM, UNKNOWN }

    public static KvmFlavour detect() {
        String cpuFlags = cpuFlags();
        boolean hypervisor = cpuFlags.contains(" hypervisor");
        Kind kind;
        if (Files.exists(Path.of("/sys/module/kvm_pvm"))) kind = Kind.PVM;
        else if (Files.exists(Path.of("/sys/module/kvm_intel")) || cpuFlags.contains(" vmx")) kind = Kind.VMX;
        else if (Files.exists(Path.of("/sys/module/kvm_amd")) || cpuFlags.contains(" svm")) kind = Kind.SVM;
        else kind = Kind.UNKNOWN;
        return new KvmFlavour(kind, hypervisor, Kvm.deviceExists());
    }

    public String describe() {
        return kind + (nested ? " (nested: the host is itself a VM)" : "")
                + (deviceAvailable ? "" : ", /dev/kvm absent");
    }

    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) return " " + line.substring(line.indexOf(':') + 1).trim() + " ";
            }
        } catch (IOException e) {
            // no cpuinfo (not Linux?): nothing to learn from it
        }
        return " ";
    }
}
