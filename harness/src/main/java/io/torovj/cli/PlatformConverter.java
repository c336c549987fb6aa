package io.torovj.cli;

import io.torovj.vmm.Platform;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "kvm" or "process". */
final class PlatformConverter implements ITypeConverter<Platform.Kind> {
    @Override
    public Platform.Kind convert(String value) {
        try {
            return Platform.Kind.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a platform (kvm or process)");
        }
    }
}
