package com.cosmicmorphology.ingest.nasa;

import com.cosmicmorphology.common.config.LabelPolicy;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The label of a NASA item from the set of queries that returned it. A query's label is its entry in
 * {@code nasa.label-map}, else the query in snake case ("globular cluster" -> globular_cluster, the same
 * spelling as the folder classes). Depends only on the set, never on order, so re-runs agree.
 */
public final class LabelResolver {
    private static final Comparator<String> MOST_SPECIFIC = Comparator.comparingInt(
                    (String q) -> q.trim().split("\\s+").length)
            .reversed()
            .thenComparing(Comparator.comparingInt(String::length).reversed())
            .thenComparing(Comparator.naturalOrder());

    private final LabelPolicy policy;
    private final Map<String, String> labelMap;

    public LabelResolver(LabelPolicy policy, Map<String, String> labelMap) {
        this.policy = policy;
        this.labelMap = labelMap;
    }

    public String labelOf(String query) {
        String mapped = labelMap.get(query);
        if (mapped != null) {
            return mapped;
        }
        return com.cosmicmorphology.common.labels.LabelNames.normalise(query);
    }

    /** Empty when the policy is QUARANTINE and the queries disagree on the label. */
    public Optional<String> resolve(Collection<String> queries) {
        TreeSet<String> labels = new TreeSet<>();
        queries.forEach(q -> labels.add(labelOf(q)));
        if (labels.size() <= 1) {
            return labels.stream().findFirst();
        }
        return switch (policy) {
            case MOST_SPECIFIC ->
                queries.stream().sorted(MOST_SPECIFIC).findFirst().map(this::labelOf);
            case FIRST_ALPHABETICAL -> Optional.of(labels.first());
            case QUARANTINE -> Optional.empty();
        };
    }

    public LabelPolicy policy() {
        return policy;
    }
}
