package io.torovj.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The programs a monitor has parsed, by file identity: a fresh VM of a program that ran before
 * (a server's function, the bench's HelloWorld) skips opening, mapping and validating its ELF
 * again, which is a tenth of a fresh VM's build here (~80-270 us of ~1.5 ms, measured). A file
 * is the same one while its device and inode ({@link BasicFileAttributes#fileKey()}), size and
 * modification time are: a rebuilt or rewritten program is parsed afresh. Small and bounded
 * (least recently used out); safe from any thread.
 */
public final class ProgramCache {
    /** Programs kept: a server's handful of functions, not a file system. */
    static final int CAPACITY = 16;

    private record Identity(Path path, Object fileKey, long size, FileTime modified) {}

    private static final Map<Path, Map.Entry<Identity, ElfImage>> IMAGES =
            new LinkedHashMap<>(CAPACITY, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Path, Map.Entry<Identity, ElfImage>> eldest) {
                    return size() > CAPACITY;
                }
            };

    private ProgramCache() {}

    /**
     * {@link ElfLoader#parse(Path)}, or the image parsed before from the same file unchanged. A
     * file that cannot be stat'ed, or is not a regular file, goes to the loader, which reports
     * it; a refused file is not kept.
     */
    public static ElfImage parse(Path path) throws ElfLoadException {
        Objects.requireNonNull(path, "path");
        Identity id = identity(path);
        if (id == null) return ElfLoader.parse(path);
        synchronized (IMAGES) {
            Map.Entry<Identity, ElfImage> hit = IMAGES.get(id.path());
            if (hit != null && hit.getKey().equals(id)) return hit.getValue();
        }
        ElfImage image = ElfLoader.parse(path);
        synchronized (IMAGES) {
            IMAGES.put(id.path(), Map.entry(id, image));
        }
        return image;
    }

    /** The file's identity now; null if it is not a regular file or cannot be read. */
    private static Identity identity(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            if (!a.isRegularFile() || a.fileKey() == null) return null;
            Path real = path.toAbsolutePath().normalize();
            return new Identity(real, a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Programs held now (for tests). */
    static int size() {
        synchronized (IMAGES) {
            return IMAGES.size();
        }
    }
}
