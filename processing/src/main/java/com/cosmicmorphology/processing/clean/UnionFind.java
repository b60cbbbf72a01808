package com.cosmicmorphology.processing.clean;

import java.util.HashMap;
import java.util.Map;

/** Groups of connected keys (near-duplicate components); the root of a group is its smallest key. */
final class UnionFind {
    private final Map<String, String> parent = new HashMap<>();

    String find(String x) {
        String p = parent.getOrDefault(x, x);
        if (p.equals(x)) {
            return x;
        }
        String root = find(p);
        parent.put(x, root);
        return root;
    }

    void union(String a, String b) {
        String ra = find(a);
        String rb = find(b);
        if (!ra.equals(rb)) {
            // the smaller key becomes the root, so group ids do not depend on the order pairs arrive in
            if (ra.compareTo(rb) < 0) {
                parent.put(rb, ra);
            } else {
                parent.put(ra, rb);
            }
        }
    }
}
