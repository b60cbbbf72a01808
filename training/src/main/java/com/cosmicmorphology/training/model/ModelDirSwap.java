package com.cosmicmorphology.training.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a directory by a complete new one so that, whenever the process dies, a whole model is found: the
 * new content is written into a staging sibling ({@code .<name>.saving-*}), then the old directory is renamed to
 * {@code .<name>.previous}, the staging one to the name, and only then is the previous one deleted. Renames
 * within one parent are atomic on local file systems. In the one window where the name is missing (between
 * the two renames) the previous model sits complete under {@code .<name>.previous}; {@link #readable} finds it
 * there, and the next save puts things straight.
 */
public final class ModelDirSwap {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDirSwap.class);

    /** A rename; tests substitute one that fails. */
    @FunctionalInterface
    public interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    /** What is written into the staging directory. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path staging) throws IOException;
    }

    private static final java.time.Duration STALE_AFTER = java.time.Duration.ofHours(1);
    private final Mover mover;

    public ModelDirSwap() {
        this(ModelDirSwap::rename);
    }

    public ModelDirSwap(Mover mover) {
        this.mover = mover;
    }

    /** The previous content's place while a replacement is under way. */
    public static Path previous(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".previous");
    }

    /**
     * Where the model of {@code dir} is to be read: {@code dir} itself, or, after a save interrupted between its
     * two renames, the previous model it kept.
     */
    public static Path readable(Path dir, String marker) {
        if (!Files.isRegularFile(dir.resolve(marker))
                && Files.isRegularFile(previous(dir).resolve(marker))) {
            LOG.warn(
                    "{} lacks {}: a save was interrupted; reading the previous model kept in {}",
                    dir,
                    marker,
                    previous(dir));
            return previous(dir);
        }
        return dir;
    }

    /** Writes the new content beside {@code dir} and swaps it in; on any failure the old content stays in place. */
    public void replace(Path dir, Content content) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".saving-");
        try {
            keepPermissions(target, staging);
            content.writeTo(staging);
            Path previous = previous(target);
            boolean hadOld = Files.exists(target);
            if (hadOld && Files.exists(previous)) {
                deleteTree(previous); // left by an earlier save that died after its second rename: the target is whole
            }
            if (hadOld) {
                mover.move(target, previous);
            }
            try {
                mover.move(staging, target);
            } catch (IOException | RuntimeException e) {
                if (hadOld) {
                    mover.move(previous, target); // put the old model back where it was
                }
                throw e;
            }
            if (Files.exists(previous)) {
                deleteTree(previous); // the old model, or one kept by a save interrupted between its renames
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
        cleanStaleStaging(parent, target.getFileName().toString());
    }

    /**
     * A temporary directory is created private (rwx------); the model directory keeps the permissions it had, or
     * gets rwxr-xr-x, so that a service reading models under another user still can.
     */
    private static void keepPermissions(Path target, Path staging) throws IOException {
        if (!Files.getFileStore(staging)
                .supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            return;
        }
        Files.setPosixFilePermissions(
                staging,
                Files.isDirectory(target)
                        ? Files.getPosixFilePermissions(target)
                        : java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to); // a file system without atomic rename: the same steps, less strictly
        }
    }

    /**
     * Staging directories of saves that died before their renames: never part of a model. Only those an hour
     * old: a younger one may be another process's save under way.
     */
    private static void cleanStaleStaging(Path parent, String name) {
        java.nio.file.attribute.FileTime cutoff =
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(STALE_AFTER));
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("." + name + ".saving-"))
                    .filter(p -> modified(p).compareTo(cutoff) < 0)
                    .toList()) {
                try {
                    deleteTree(p);
                } catch (IOException | UncheckedIOException e) {
                    LOG.warn("cannot remove {} left by an interrupted save: {}", p, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", parent, e.getMessage());
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.from(java.time.Instant.now()); // unknown: treat as young, keep it
        }
    }

    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
