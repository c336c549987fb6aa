package io.torovj.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** "8M", "512K", "1G", or plain bytes. */
final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (v.endsWith("K")) unit = 1L << 10;
        else if (v.endsWith("M")) unit = 1L << 20;
        else if (v.endsWith("G")) unit = 1L << 30;
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n <= 0 || n > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return n * unit;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a size (e.g. 8M, 512K, 1G)");
        }
    }
}
