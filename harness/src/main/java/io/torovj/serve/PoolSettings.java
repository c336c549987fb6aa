package io.torovj.serve;

import io.torovj.log.MonitorLog;
import io.torovj.transport.TransportRegistry;
import io.torovj.vmm.Platform;
import java.nio.file.Path;

/**
 * What every pool of a server shares: where guest code runs, the transports, the monitor's log.
 *
 * @param platform        KVM or the process platform
 * @param processLauncher the process platform's launcher (null: KVM only)
 * @param transports      the registered transports
 * @param log             where the monitor's diagnostics go
 */
public record PoolSettings(Platform.Kind platform, Path processLauncher, TransportRegistry transports, MonitorLog log) {}
