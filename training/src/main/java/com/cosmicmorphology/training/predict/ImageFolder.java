package com.cosmicmorphology.training.predict;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * The files of a folder given to {@code predict --images}, under the rules {@code ingest folder} applies: the
 * root is resolved once ({@code toRealPath}); links are not followed while walking, and a link is read only if
 * it leads to a file inside the root; anything but a regular file (a FIFO would block the read forever, a
 * device would never end) is not opened; a file over {@code ingest.max-image-bytes} is not read, and reading
 * stops one byte past the limit in case it grew. A file or sub-folder that cannot be used becomes an entry
 * with the reason, so the caller reports it and goes on.
 */
public final class ImageFolder {
    /** A file to score ({@code file} set), or one that cannot be ({@code error} set). */
    public record Entry(String id, Path file, String error) {
        static Entry failed(String id, String error) {
            return new Entry(id, null, error);
        }
    }

    /** Opens a file for reading; tests substitute one that fails. */
    @FunctionalInterface
    public interface Opener {
        InputStream open(Path file) throws IOException;
    }

    /** A file over the size limit. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private final Path root;
    private final long maxBytes;
    private final Opener opener;

    private ImageFolder(Path root, long maxBytes, Opener opener) {
        this.root = root;
        this.maxBytes = maxBytes;
        this.opener = opener;
    }

    public static ImageFolder open(Path dir, long maxBytes) {
        return open(dir, maxBytes, f -> Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS));
    }

    public static ImageFolder open(Path dir, long maxBytes, Opener opener) {
        if (!Files.isDirectory(dir)) {
            throw new CosmicException(ExitCode.USAGE, "--images " + dir + " is not a folder");
        }
        try {
            return new ImageFolder(dir.toRealPath(), maxBytes, opener);
        } catch (IOException e) {
            throw new CosmicException(ExitCode.USAGE, "--images " + dir + " cannot be resolved: " + e.getMessage());
        }
    }

    public Path root() {
        return root;
    }

    /** Every file under the root, sorted by id (the path relative to the root, with '/'). */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try {
            Files.walkFileTree(
                    root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                            Entry e = classify(p, attrs);
                            if (e != null) {
                                out.add(e);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path p, IOException e) {
                            // an unreadable sub-folder (or a file gone since it was listed): reported, the walk goes on
                            out.add(Entry.failed(
                                    id(p), "cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new CosmicException(ExitCode.USAGE, "cannot walk --images " + root + ": " + e.getMessage());
        }
        out.sort(Comparator.comparing(Entry::id));
        return out;
    }

    private Entry classify(Path p, BasicFileAttributes attrs) {
        String id = id(p);
        if (attrs.isSymbolicLink()) {
            Path target;
            try {
                target = p.toRealPath();
            } catch (IOException e) {
                return Entry.failed(
                        id,
                        "broken link: its target cannot be resolved ("
                                + e.getClass().getSimpleName() + ")");
            }
            if (!target.startsWith(root)) {
                return Entry.failed(id, "link leads outside " + root + " (to " + target + "); not followed");
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                return null; // a folder inside the root: its files are walked there
            }
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                return Entry.failed(id, "link to something that is not a regular file; not opened");
            }
            return new Entry(id, target, null);
        }
        if (!attrs.isRegularFile()) {
            return Entry.failed(id, "not a regular file (a FIFO, socket or device); not opened");
        }
        return new Entry(id, p, null);
    }

    /** The entry's bytes, at most {@code ingest.max-image-bytes} of them. */
    public byte[] read(Entry e) throws IOException {
        long size = Files.size(e.file());
        if (size > maxBytes) {
            throw new TooLarge(size + " bytes, over ingest.max-image-bytes=" + maxBytes);
        }
        try (InputStream in = opener.open(e.file())) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new TooLarge("grew past ingest.max-image-bytes=" + maxBytes + " while being read");
            }
            return bytes;
        }
    }

    private String id(Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
