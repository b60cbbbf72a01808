package com.cosmicmorphology.ingest.folder;

import com.cosmicmorphology.common.lake.QuarantineRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Files already in the lake whose bytes are no longer the ones ingested. image_id is the path, so a re-run
 * would call such a file "already present" and training would go on with the old pixels under a label the
 * folder may no longer mean. Each present file is hashed again (streamed, never whole in memory) and compared
 * with the stored SHA-256: a difference is quarantined as {@code content_changed} with both hashes, and the
 * lake keeps the version it has (nothing is overwritten or lost; ingest the new file under a new path to keep
 * both). Once the file holds the ingested bytes again, the quarantine row is cleared.
 */
record ChangedFiles(List<QuarantineRow> quarantine, List<String> unchangedAgain) {

    static ChangedFiles find(Path root, List<Path> files, Map<String, String> storedSha, Timestamp now) {
        List<QuarantineRow> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        files.parallelStream()
                .map(p -> {
                    String id = FolderIngestJob.imageId(root, p);
                    String stored = storedSha.get(id);
                    if (stored == null) {
                        return null;
                    }
                    try {
                        String now256 = sha256(p);
                        return Objects.equals(now256, stored)
                                ? (Object) id
                                : FolderIngestJob.reject(
                                        FolderIngestJob.relative(root, p),
                                        "content_changed",
                                        "content is now "
                                                + now256 + ", ingested as " + stored
                                                + "; the lake keeps the ingested version (give the new file"
                                                + " another name to ingest it too)",
                                        now);
                    } catch (IOException e) {
                        return FolderIngestJob.reject(
                                FolderIngestJob.relative(root, p),
                                "unreadable",
                                e.getClass().getSimpleName() + ": " + e.getMessage(),
                                now);
                    }
                })
                .filter(Objects::nonNull)
                .toList()
                .forEach(o -> {
                    if (o instanceof QuarantineRow q) {
                        changed.add(q);
                    } else {
                        unchanged.add((String) o);
                    }
                });
        return new ChangedFiles(changed, unchanged);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
