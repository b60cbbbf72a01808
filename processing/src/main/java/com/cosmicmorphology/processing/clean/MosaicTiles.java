package com.cosmicmorphology.processing.clean;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tiles of a mosaic, where the file names tell: several files of one class share a stem and differ only by a
 * tile index after a separator ({@code lmc_01, lmc_02, ...}, {@code rho-a00, rho-a01}, {@code smc29-1}).
 * A catalogue name alone ({@code ngc224}) has no separator before its digits, so it is never a tile; a
 * catalogue with a hyphen ({@code sh2-106, sh2-264}) has sparse numbers, while tile numbers are dense
 * (the largest is at most twice the count, plus 2) or grid-like with a row letter ({@code a00}).
 */
final class MosaicTiles {
    private static final Pattern TILE = Pattern.compile("^(.*[^-_])[-_]([a-z]?\\d{1,3})$");

    private final int minTiles;
    private final Map<String, Integer> stemCounts = new HashMap<>();
    private final Map<String, Integer> maxIndex = new HashMap<>();
    private final Map<String, Boolean> gridLike = new HashMap<>();

    MosaicTiles(int minTiles) {
        this.minTiles = minTiles;
    }

    /** The mosaic key of an image (label + folder + stem), if its file name looks like a tile. */
    static Optional<String> key(String imageId, String label) {
        int colon = imageId.indexOf(':');
        String path = imageId.substring(colon + 1);
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        String stem = (dot > 0 ? name.substring(0, dot) : name).toLowerCase();
        Matcher m = TILE.matcher(stem);
        return m.matches() ? Optional.of(label + "|" + dir + "|" + m.group(1)) : Optional.empty();
    }

    void count(String imageId, String label) {
        key(imageId, label).ifPresent(k -> {
            stemCounts.merge(k, 1, Integer::sum);
            String index = index(imageId);
            boolean grid = Character.isLetter(index.charAt(0));
            gridLike.merge(k, grid, Boolean::logicalAnd);
            maxIndex.merge(k, Integer.parseInt(grid ? index.substring(1) : index), Math::max);
        });
    }

    boolean isTile(String imageId, String label) {
        return key(imageId, label)
                .map(k -> {
                    int n = stemCounts.getOrDefault(k, 0);
                    return n >= minTiles && (gridLike.get(k) || maxIndex.get(k) <= 2 * n + 2);
                })
                .orElse(false);
    }

    private static String index(String imageId) {
        String name = imageId.substring(imageId.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        Matcher m = TILE.matcher((dot > 0 ? name.substring(0, dot) : name).toLowerCase());
        return m.matches() ? m.group(2) : "0";
    }
}
