package com.cosmicmorphology.training.selection;

import com.cosmicmorphology.common.image.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stratified, grouped k-fold assignment, deterministic like {@code split}: near-duplicates (one group) always
 * share a fold, so no fold is scored on a copy of an image it trained on. Within each label the groups are
 * ordered by SHA-256(seed:group) and dealt to folds in turn, the deal continuing across labels, so every fold
 * gets its share of every class (a class with fewer groups than folds is absent from some) and fold sizes
 * differ by at most one group per label. The same images and seed give the same folds on any machine.
 */
public final class GroupedFolds {
    private GroupedFolds() {}

    /**
     * @param groups near-duplicate group per image
     * @param labels class index per image (a group takes the label of its first image)
     * @return fold index in [0, k) per image
     */
    public static int[] assign(List<String> groups, int[] labels, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        Map<String, Integer> groupLabel = new HashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            groupLabel.putIfAbsent(groups.get(i), labels[i]);
        }
        Map<Integer, List<String>> byLabel = new TreeMap<>();
        groupLabel.forEach(
                (g, y) -> byLabel.computeIfAbsent(y, x -> new ArrayList<>()).add(g));
        Map<String, Integer> fold = new HashMap<>();
        int dealt = 0;
        for (List<String> gs : byLabel.values()) {
            Map<String, String> key = new HashMap<>();
            gs.forEach(g -> key.put(g, Hashes.sha256((seed + ":" + g).getBytes(StandardCharsets.UTF_8))));
            gs.sort(Comparator.comparing((String g) -> key.get(g)).thenComparing(g -> g));
            for (String g : gs) {
                fold.put(g, dealt++ % k);
            }
        }
        int[] out = new int[groups.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fold.get(groups.get(i));
        }
        return out;
    }
}
