package com.cosmicmorphology.training.data;

import static org.apache.spark.sql.functions.col;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.image.SyntheticRecipe;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.lake.LakeTable;
import com.cosmicmorphology.training.features.FeatureStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The synthetic variants training adds to its pool ({@code synthetic.train-per-image} of them per image, from
 * {@code features_synthetic}): training-only examples that carry their parent's current label and group, so
 * cross-validation keeps them in their parent's fold and never scores them.
 */
public final class SyntheticVariants {
    private SyntheticVariants() {}

    /**
     * Per pool image, in pool order: the first {@code synthetic.train-per-image} variants of its model input, as
     * images of the parent's label, split "synthetic" and the parent's group (empty lists when the setting is 0).
     */
    public static List<List<LabelledImage>> of(
            SparkSession spark,
            LakeLayout lake,
            CosmicConfig config,
            List<LabelledImage> pool,
            int size,
            String policy,
            boolean withPixels) {
        int n = config.synthetic().trainPerImage();
        List<List<LabelledImage>> out = new ArrayList<>();
        if (n == 0) {
            pool.forEach(i -> out.add(List.of()));
            return out;
        }
        String recipe = SyntheticRecipe.of(config.synthetic().seed());
        String fix = "; run './cosmic synthesize --per-image " + n + " --size " + size + " --policy " + policy + "'"
                + " (or set synthetic.train-per-image=0)";
        if (!lake.exists(spark, LakeTable.SYNTHETIC_INPUTS)) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "synthetic.train-per-image=" + n + " but the lake has no features_synthetic table" + fix);
        }
        Set<String> parents = new LinkedHashSet<>();
        pool.forEach(i -> parents.add(i.contentSha256()));
        var wanted = org.apache.spark.sql.functions.broadcast(
                spark.createDataset(new ArrayList<>(parents), Encoders.STRING()).toDF("parent_sha256"));
        var rows = lake.read(spark, LakeTable.SYNTHETIC_INPUTS)
                .where(col("size")
                        .equalTo(size)
                        .and(col("policy").equalTo(policy))
                        .and(col("recipe").equalTo(recipe))
                        .and(col("variant").lt(n)))
                .join(wanted, "parent_sha256");
        rows = withPixels
                ? rows.select("parent_sha256", "variant", "synthetic_id", "content_sha256", "pixels")
                : rows.select("parent_sha256", "variant", "synthetic_id", "content_sha256");
        Map<String, LabelledImage[]> byParent = new HashMap<>();
        for (Row r : rows.collectAsList()) {
            LabelledImage[] v = byParent.computeIfAbsent(r.getString(0), k -> new LabelledImage[n]);
            v[r.getInt(1)] = new LabelledImage(
                    r.getString(2), null, "synthetic", null, r.getString(3), withPixels ? r.getAs("pixels") : null);
        }
        long short_ = 0;
        for (LabelledImage parent : pool) {
            LabelledImage[] v = byParent.get(parent.contentSha256());
            List<LabelledImage> mine = new ArrayList<>();
            for (int k = 0; v != null && k < n; k++) {
                if (v[k] != null) {
                    LabelledImage s = v[k];
                    mine.add(new LabelledImage(
                            s.imageId(), parent.label(), "synthetic", parent.groupId(), s.contentSha256(), s.pixels()));
                }
            }
            if (mine.size() < n) {
                short_++;
            }
            out.add(mine);
        }
        if (short_ > 0) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    short_ + " of the " + pool.size() + " train/val images have fewer than " + n
                            + " synthetic variants at " + size + " px (" + policy + "), recipe " + recipe + fix);
        }
        return out;
    }

    /**
     * The variants' feature vectors (one view each: a variant is already a random rotation and mirror), per pool
     * image: {@code [variant][feature]}, computed through the same feature cache as the real images.
     */
    public static List<float[][]> features(FeatureStore store, List<List<LabelledImage>> variants) {
        List<LabelledImage> flat = new ArrayList<>();
        variants.forEach(flat::addAll);
        if (flat.isEmpty()) {
            return List.of();
        }
        Map<String, float[][]> f = store.features(flat, 1);
        List<float[][]> out = new ArrayList<>();
        for (List<LabelledImage> v : variants) {
            float[][] x = new float[v.size()][];
            for (int k = 0; k < x.length; k++) {
                x[k] = f.get(v.get(k).contentSha256())[0];
            }
            out.add(x);
        }
        return out;
    }

    /** {@link #of} at training's input size and the inputs' policy. */
    public static List<List<LabelledImage>> of(
            SparkSession spark, LakeLayout lake, CosmicConfig config, List<LabelledImage> pool, boolean withPixels) {
        return of(
                spark,
                lake,
                config,
                pool,
                config.training().inputSize(),
                config.inputs().policy().key(),
                withPixels);
    }

    /** An image's real views followed by its variants: what the head trains on. */
    public static List<float[][]> withVariants(List<float[][]> real, List<float[][]> variants) {
        List<float[][]> out = new ArrayList<>(real.size());
        for (int i = 0; i < real.size(); i++) {
            float[][] r = real.get(i);
            float[][] v = variants.isEmpty() ? new float[0][] : variants.get(i);
            float[][] both = new float[r.length + v.length][];
            System.arraycopy(r, 0, both, 0, r.length);
            System.arraycopy(v, 0, both, r.length, v.length);
            out.add(both);
        }
        return out;
    }
}
