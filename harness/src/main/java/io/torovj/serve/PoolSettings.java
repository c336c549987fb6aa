package io.torovj.serve;

import io.torovj.log.MonitorLog;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What every pool of a server shares: where guest code runs, the transports, the monitor's log,
 * how a used VM is made ready again.
 *
 * @param platform        KVM or the process platform
 * @param processLauncher the process platform's launcher (null: KVM only)
 * @param transports      the registered transports
 * @param log             where the monitor's diagnostics go
 * @param reuse           reset in place (the default) or rebuild
 */
public record PoolSettings(Platform.Kind platform, Path processLauncher, TransportRegistry transports, MonitorLog log,
                           VmReuse reuse) {
    public PoolSettings {
        Objects.requireNonNull(reuse, "reuse");
    }

    /** Pools whose VMs are reset in place. */
    public PoolSettings(Platform.Kind platform, Path processLauncher, TransportRegistry transports, MonitorLog log) {
        this(platform, processLauncher, transports, log, VmReuse.RESET);
    }
}
