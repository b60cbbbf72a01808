package com.cosmicmorphology.ingest.folder;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.lake.QuarantineRow;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a labelled folder, in path order. Links are checked one by one (never followed out of the
 * root); FIFOs, sockets and devices are skipped (reading a FIFO blocks forever); a sub-folder that cannot be
 * read is quarantined and the walk goes on; files directly in the root have no class.
 */
final class FolderWalk {
    private static final Logger LOG = LoggerFactory.getLogger(FolderWalk.class);

    /** The files to ingest and the entries refused on the way. */
    record Result(List<Path> files, List<QuarantineRow> rejected) {}

    private FolderWalk() {}

    static Result walk(Path root, Timestamp now) {
        Visitor v = new Visitor(root, now);
        try {
            Files.walkFileTree(root, v);
        } catch (IOException e) {
            throw new CosmicException(ExitCode.USAGE, "cannot walk " + root + ": " + e.getMessage());
        }
        v.files.sort(null);
        return new Result(v.files, v.rejected);
    }

    /** Package-private so that tests can drive the failure paths no test user can provoke as root. */
    static final class Visitor extends SimpleFileVisitor<Path> {
        private final Path root;
        private final Timestamp now;
        final List<Path> files = new ArrayList<>();
        final List<QuarantineRow> rejected = new ArrayList<>();

        Visitor(Path root, Timestamp now) {
            this.root = root;
            this.now = now;
        }

        @Override
        public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
            String rel = FolderIngestJob.relative(root, p);
            if (attrs.isSymbolicLink()) {
                Path target;
                try {
                    target = p.toRealPath();
                } catch (IOException e) {
                    rejected.add(FolderIngestJob.reject(
                            rel, "broken_link", "link target cannot be resolved: " + e.getMessage(), now));
                    return FileVisitResult.CONTINUE;
                }
                if (!target.startsWith(root)) {
                    rejected.add(FolderIngestJob.reject(
                            rel, "escapes_root", "link points outside " + root + " to " + target, now));
                    return FileVisitResult.CONTINUE;
                }
                if (!Files.isRegularFile(target)) {
                    return FileVisitResult.CONTINUE; // a link to a folder inside the root: its files are walked there
                }
            } else if (!attrs.isRegularFile()) {
                LOG.warn("skipping {}: not a regular file (a FIFO, socket or device)", rel);
                return FileVisitResult.CONTINUE;
            }
            if (p.getParent().equals(root)) {
                rejected.add(FolderIngestJob.reject(
                        rel, "outside_class_folder", "file is not inside a class sub-folder", now));
                return FileVisitResult.CONTINUE;
            }
            files.add(p);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path p, IOException e) {
            if (p.equals(root)) {
                throw new CosmicException(ExitCode.USAGE, "cannot read --path " + root + ": " + e.getMessage());
            }
            String rel = FolderIngestJob.relative(root, p);
            LOG.warn("cannot read {}: {} (quarantined; the walk goes on)", rel, e.toString());
            rejected.add(FolderIngestJob.reject(
                    rel,
                    "unreadable",
                    e.getClass().getSimpleName() + ": " + e.getMessage() + "; fix its permissions and re-run",
                    now));
            return FileVisitResult.CONTINUE;
        }
    }
}
