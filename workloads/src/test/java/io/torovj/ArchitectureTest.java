package io.torovj;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on every build over the main classes of all modules: no
 * package depends on itself through others, and raw memory (pointers, libc) is handled only by
 * the three layers made for it. See the README's package table for the layering.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.torovj");
        assertTrue(main.contain("io.torovj.vmm.Vm") && main.contain("io.torovj.mechanisms.RingTransport")
                && main.contain("io.torovj.bench.BenchMain"), "the main classes of every module were imported");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.torovj.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void libcAndRawPointersOnlyInSysKvmAndMemory() {
        noClasses().that().resideOutsideOfPackages("io.torovj.sys..", "io.torovj.kvm..", "io.torovj.memory..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.torovj.sys.LibC")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.torovj.sys.NativeBuffer")
                .orShould().dependOnClassesThat().resideInAPackage("jnr..")
                .because("every host call that takes a pointer goes through one checked layer")
                .check(main);
    }

    @Test
    void transportsSeeNeitherThePlatformNorTheSyscallHandlers() {
        noClasses().that().resideInAPackage("io.torovj.mechanisms..")
                .should().dependOnClassesThat().resideInAnyPackage("io.torovj.kvm..", "io.torovj.sys..", "io.torovj.vmm..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.torovj.syscall.SyscallDispatcher")
                .because("a transport sees guest memory, the buses, a one-method syscall executor and kernel doorbells")
                .check(main);
    }

    @Test
    void theServerSitsAboveTheMonitor() {
        noClasses().that().resideOutsideOfPackages("io.torovj.serve..", "io.torovj.cli..", "io.torovj.bench..")
                .should().dependOnClassesThat().resideInAPackage("io.torovj.serve..")
                .because("serving is an application of the monitor: nothing in the monitor knows of it")
                .check(main);
        noClasses().that().resideInAPackage("io.torovj.serve..")
                .should().dependOnClassesThat().resideInAnyPackage("io.torovj.cli..", "io.torovj.kvm..", "io.torovj.gdb..",
                        "io.torovj.syscall..", "io.torovj.memory..")
                .because("a pool builds VMs through vmm.VmBuilder and sees neither KVM nor the syscall layer")
                .check(main);
    }
}
