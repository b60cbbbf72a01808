package com.cosmicmorphology.training.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.head.HeadKind;
import com.cosmicmorphology.training.head.HeadSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    private final SparkSession spark = SharedSpark.get();

    /** 3 classes of 24 images in groups of 2 (near-duplicates); class 2 is rare (6 images). */
    private static List<String> groups(int[] y) {
        List<String> g = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            g.add("g" + (i / 2));
        }
        return g;
    }

    private static int[] labels() {
        int[] y = new int[54];
        for (int i = 0; i < y.length; i++) {
            y[i] = i < 24 ? 0 : i < 48 ? 1 : 2;
        }
        return y;
    }

    @Test
    void foldsKeepGroupsTogetherSpreadEachClassAndAreDeterministic() {
        int[] y = labels();
        List<String> g = groups(y);
        int[] f = GroupedFolds.assign(g, y, 3, 42);
        Map<String, Integer> foldOfGroup = new HashMap<>();
        for (int i = 0; i < y.length; i++) {
            assertThat(foldOfGroup.computeIfAbsent(g.get(i), x -> -1)).isIn(-1, f[i]);
            foldOfGroup.put(g.get(i), f[i]);
        }
        for (int c = 0; c < 3; c++) {
            Set<Integer> folds = new HashSet<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    folds.add(f[i]);
                }
            }
            assertThat(folds).as("class %d reaches every fold", c).hasSize(3);
        }
        int[] perFold = new int[3];
        for (int v : f) {
            perFold[v]++;
        }
        assertThat(perFold).containsOnly(18);
        assertThat(GroupedFolds.assign(g, y, 3, 42)).containsExactly(f);
        assertThat(GroupedFolds.assign(g, y, 3, 7)).isNotEqualTo(f);
        assertThatThrownBy(() -> GroupedFolds.assign(g, y, 1, 42)).hasMessageContaining("at least 2 folds");
    }

    @Test
    void everyCandidateFoldPairIsASparkTaskAndTheBestBeatsTheMajorityClass() throws Exception {
        int[] y = labels();
        Random r = new Random(1);
        List<float[][]> x = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            float[][] views = new float[2][6];
            for (float[] v : views) {
                for (int d = 0; d < v.length; d++) {
                    v[d] = (float) ((d % 3 == y[i] ? 1.5 : 0) + r.nextGaussian());
                }
            }
            x.add(views);
        }
        HeadSpec linear = new HeadSpec(HeadKind.LINEAR, 8, 0.0, 1e-4, 0.01, 16, true, 42);
        HeadSpec mlp = linear.withKind(HeadKind.MLP);
        AtomicInteger tasks = new AtomicInteger();
        SparkListener count = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                tasks.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(count);
        CrossValidation.Outcome o;
        try {
            o = new CrossValidation(spark, 3, 42, 20, 5)
                    .run(x, y, groups(y), List.of("a", "b", "c"), List.of(linear, mlp));
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(count);
        }
        assertThat(tasks.get()).isGreaterThanOrEqualTo(2 * 3);
        assertThat(o.candidates())
                .extracting(CrossValidation.Estimate::name)
                .containsExactly(linear.label(), mlp.label());
        assertThat(o.candidates()).allMatch(e -> e.epochs() % 5 == 0 && e.epochs() >= 5 && e.epochs() <= 20);
        assertThat(o.majority().accuracy()).isCloseTo(24.0 / 54, org.assertj.core.data.Offset.offset(0.05));
        assertThat(o.best().macroF1()).isGreaterThan(o.majority().macroF1() + 0.3);
        assertThat(o.best().accuracySpread()).isBetween(0.0, 0.5);
        assertThat(o.images()).isEqualTo(54);
        // deterministic: the same data, seed and candidates give the same estimate
        CrossValidation.Outcome again = new CrossValidation(spark, 3, 42, 20, 5)
                .run(x, y, groups(y), List.of("a", "b", "c"), List.of(linear, mlp));
        assertThat(again.best().macroF1()).isEqualTo(o.best().macroF1());
        assertThat(again.best().epochs()).isEqualTo(o.best().epochs());
        assertThat(CvMetadata.table(o))
                .contains("majority class")
                .contains("* " + o.best().name());
    }

    /** One view per image: the class's own dimension lit (strength 3) over unit noise, or noise alone. */
    private static List<float[][]> features(int[] y, double signal, long seed) {
        Random r = new Random(seed);
        List<float[][]> x = new ArrayList<>();
        for (int label : y) {
            float[] v = new float[6];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) ((d % 3 == label ? signal : 0) + r.nextGaussian());
            }
            x.add(new float[][] {v});
        }
        return x;
    }

    private static double heldOutAccuracy(double[][][] p, int[] y, int[] fold, int f) {
        double[][] last = p[p.length - 1];
        int j = 0;
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            if (fold[i] == f) {
                int best = 0;
                for (int c = 1; c < last[j].length; c++) {
                    best = last[j][c] > last[j][best] ? c : best;
                }
                right += best == y[i] ? 1 : 0;
                j++;
            }
        }
        assertThat(j).as("one probability row per held-out image").isEqualTo(last.length);
        return (double) right / j;
    }

    @Test
    void syntheticExamplesTrainWithTheirParentAndAreNeverScored() {
        int[] y = labels();
        int[] fold = GroupedFolds.assign(groups(y), y, 3, 42);
        HeadSpec linear = new HeadSpec(HeadKind.LINEAR, 8, 0.0, 1e-4, 0.01, 16, true, 42);
        float[][][] signal = features(y, 3, 1).toArray(new float[0][][]);
        float[][][] noise = features(y, 0, 2).toArray(new float[0][][]);
        // real views carry nothing for the training folds and the signal for the held-out one: only examples that
        // train beside their parents can teach the head what the held-out fold shows
        float[][][] real = new float[y.length][][];
        for (int i = 0; i < y.length; i++) {
            real[i] = fold[i] == 0 ? signal[i] : noise[i];
        }
        double without = heldOutAccuracy(
                CrossValidation.scoreFold(linear, real, new float[0][][], y, fold, 0, 3, 20, 20)
                        .probabilities(),
                y,
                fold,
                0);
        double with = heldOutAccuracy(
                CrossValidation.scoreFold(linear, real, signal, y, fold, 0, 3, 20, 20)
                        .probabilities(),
                y,
                fold,
                0);
        assertThat(without).isLessThan(0.6);
        assertThat(with).isGreaterThan(0.85);
        // and the held-out fold is scored on its real views only: the signal in its synthetic examples is not seen
        double leaked = heldOutAccuracy(
                CrossValidation.scoreFold(linear, noise, signal, y, fold, 0, 3, 20, 20)
                        .probabilities(),
                y,
                fold,
                0);
        assertThat(leaked).isLessThan(0.6);
        // the same run through Spark: the folds are dealt over the real images, the image count is the real one
        CrossValidation.Outcome o = new CrossValidation(spark, 3, 42, 20, 5)
                .run(
                        java.util.Arrays.asList(noise),
                        java.util.Arrays.asList(signal),
                        y,
                        groups(y),
                        List.of("a", "b", "c"),
                        List.of(linear));
        assertThat(o.images()).isEqualTo(54);
        assertThat(o.best().accuracy()).isLessThan(0.6);
    }
}
