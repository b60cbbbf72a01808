package com.cosmicmorphology.training.selection;

import com.cosmicmorphology.training.eval.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A cross-validation outcome as model metadata (JSON) and as the table {@code train} prints. */
public final class CvMetadata {
    private CvMetadata() {}

    public static Map<String, Object> of(CrossValidation.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folds", o.folds());
        m.put("grouping", "near-duplicate group (curated_images.group_id), stratified by label");
        m.put("seed", o.seed());
        m.put("images", o.images());
        m.put("chosen", o.best().name());
        List<Map<String, Object>> c = new ArrayList<>();
        o.candidates().forEach(e -> c.add(entry(e)));
        m.put("candidates", c);
        m.put("majority_baseline", entry(o.majority()));
        m.put("seconds", Math.round(o.seconds() * 10) / 10.0);
        return m;
    }

    static Map<String, Object> entry(CrossValidation.Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        if (e.spec() != null) {
            m.putAll(e.spec().describe());
            m.put("epochs", e.epochs());
        }
        m.put("accuracy", round(e.accuracy()));
        m.put("accuracy_sd", round(e.accuracySpread()));
        m.put("macro_f1", round(e.macroF1()));
        m.put("macro_f1_sd", round(e.macroF1Spread()));
        Map<String, Object> recall = new LinkedHashMap<>();
        for (Metrics.PerClass p : e.pooled().classes()) {
            recall.put(p.label(), round(p.recall()));
        }
        m.put("recall", recall);
        return m;
    }

    /** One line per candidate and the majority floor: what the chosen head beats, with spreads over folds. */
    public static String table(CrossValidation.Outcome o) {
        StringBuilder sb = new StringBuilder(String.format(
                "cross-validation: %d grouped folds over %d images (train + val)%n", o.folds(), o.images()));
        sb.append(String.format("  %-46s %6s %15s %15s%n", "head", "epochs", "accuracy", "macro-F1"));
        List<CrossValidation.Estimate> all = new ArrayList<>(o.candidates());
        all.add(o.majority());
        for (CrossValidation.Estimate e : all) {
            sb.append(String.format(
                    "%s %-46s %6s %7.3f ± %.3f %7.3f ± %.3f%n",
                    e == o.best() ? "*" : " ",
                    e.name(),
                    e.spec() == null ? "-" : Integer.toString(e.epochs()),
                    e.accuracy(),
                    e.accuracySpread(),
                    e.macroF1(),
                    e.macroF1Spread()));
        }
        sb.append("  recall per class (chosen head):");
        for (Metrics.PerClass p : o.best().pooled().classes()) {
            sb.append(String.format(" %s %.2f", p.label(), p.recall()));
        }
        return sb.append(System.lineSeparator()).toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
