package io.torovj.transport;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Every transport on the class path, by name. */
public final class TransportRegistry {
    private final Map<String, TransportProvider> providers = new TreeMap<>();  // filled once, then read-only

    private TransportRegistry() {}

    /** Scanning the class path is not free: every VM of a process shares the first scan. */
    private static final class Installed {
        static final TransportRegistry REGISTRY = scan();
    }

    /** The transports on the class path (scanned once per process). */
    public static TransportRegistry load() {
        return Installed.REGISTRY;
    }

    private static TransportRegistry scan() {
        TransportRegistry registry = new TransportRegistry();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class)) {
            TransportProvider previous = registry.providers.putIfAbsent(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two transports named " + p.name() + ": "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return registry;
    }

    public Map<String, TransportProvider> providers() { return java.util.Collections.unmodifiableMap(providers); }

    /** The provider named {@code name}; the message lists the known ones if there is none. */
    public TransportProvider provider(String name) {
        TransportProvider p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown transport '" + name + "' (known: "
                    + String.join(", ", providers.keySet()) + ")");
        }
        return p;
    }

    /** The registered transports' names, sorted. */
    public java.util.List<String> names() { return java.util.List.copyOf(providers.keySet()); }
}
