package com.cosmicmorphology.common.bench;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The lake folder a benchmark writes into and empties before each run. A benchmark measures a fresh lake,
 * but {@code --lake DIR} names a folder of the user's: it is emptied only when a benchmark made it, which
 * the {@value #MARKER} file it leaves there records. A new or empty folder is taken (and marked); any other
 * folder is refused, so a mistyped {@code --lake ./lake} never deletes a real lake.
 */
public final class BenchLake {
    /** Written into every folder a benchmark takes as its lake. */
    public static final String MARKER = ".cosmic-bench-lake";

    private BenchLake() {}

    /**
     * Makes {@code dir} an empty lake folder that holds only the marker, or refuses.
     *
     * @param option how the user named the folder, for the message ({@code --lake})
     */
    public static Path prepare(String option, String folder) throws IOException {
        if (folder.contains("://") || folder.startsWith("file:")) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    option + " " + folder + ": a benchmark measures a lake on local disk; "
                            + "give a new or empty local folder");
        }
        Path dir = Path.of(folder).toAbsolutePath().normalize();
        Path marker = dir.resolve(MARKER);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new CosmicException(
                        ExitCode.USAGE, option + " " + dir + " is not a folder; give a new or empty folder");
            }
            if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
                emptyExceptMarker(dir);
                return dir;
            }
            if (!isEmpty(dir)) {
                throw new CosmicException(
                        ExitCode.USAGE,
                        option + " " + dir + " already holds files and was not created by a "
                                + "benchmark (no " + MARKER
                                + " in it); a benchmark empties its lake first, so give a new or empty "
                                + "folder (nothing was changed)");
            }
        }
        Files.createDirectories(dir);
        Files.writeString(marker, "made by a cosmic benchmark: emptied at the start of every run\n");
        return dir;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void emptyExceptMarker(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p :
                    s.filter(p -> !p.getFileName().toString().equals(MARKER)).toList()) {
                BenchFiles.deleteRecursively(p);
            }
        }
    }
}
