package com.cosmicmorphology.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.testing.SharedSpark;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.backbone.Backbones;
import com.cosmicmorphology.training.backbone.GraphShapes;
import com.cosmicmorphology.training.distributed.SparkFineTuneTrainer;
import com.cosmicmorphology.training.eval.EvaluateJob;
import com.cosmicmorphology.training.features.ExecutorFeatures;
import com.cosmicmorphology.training.head.FineTuneTrainer;
import com.cosmicmorphology.training.model.ModelStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fine-tuning with the Spark engine on {@code local[2]}: the network trains in dl4j-spark tasks over
 * {@code features_inputs} pixels read by the executors, validation is scored in tasks too, and the driver runs
 * no pass of the network; the model directory is the local mode's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FineTuneSparkTest {
    @TempDir
    static Path tmp;

    private final SparkSession spark = SharedSpark.get();
    private LakeLayout lake;
    private final Set<Integer> fineTuneStages = ConcurrentHashMap.newKeySet();
    private final AtomicLong fineTuneTasks = new AtomicLong();
    private final Set<Integer> scoringStages = ConcurrentHashMap.newKeySet();
    private final AtomicLong scoringTasks = new AtomicLong();

    private CosmicConfig config(Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of(
                "training.input-size",
                Integer.toString(TrainingTest.SIZE),
                "training.feature-views",
                "2",
                "training.epochs",
                "2",
                "training.patience",
                "2",
                "training.batch-size",
                "12",
                "training.mode",
                "fine-tune",
                "training.keras-model",
                Path.of("../models/mobilenet_v2_imagenet_block10_features.h5").toString(),
                "inputs.policy",
                "center-crop"));
        all.putAll(extra);
        return SharedSpark.config(lake.root(), all);
    }

    @BeforeAll
    void lake() throws Exception {
        lake = new LakeLayout(tmp.resolve("lake").toString());
        TrainingTest.writeLake(spark, lake, TrainingTest.CLASSES, true);
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onStageSubmitted(SparkListenerStageSubmitted e) {
                if (e.properties() != null
                        && SparkFineTuneTrainer.STAGE.equals(
                                e.properties().getProperty(ExecutorFeatures.STAGE_PROPERTY))) {
                    fineTuneStages.add(e.stageInfo().stageId());
                }
                if (e.properties() != null
                        && com.cosmicmorphology.training.eval.FineTunedOnExecutors.STAGE.equals(
                                e.properties().getProperty(ExecutorFeatures.STAGE_PROPERTY))) {
                    scoringStages.add(e.stageInfo().stageId());
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (fineTuneStages.contains(e.stageId())) {
                    fineTuneTasks.incrementAndGet();
                }
                if (scoringStages.contains(e.stageId())) {
                    scoringTasks.incrementAndGet();
                }
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void fineTunesOnTheExecutorsWithNoPassInTheDriverIntoTheLocalModeKindOfModel() throws Exception {
        CosmicConfig c = config(Map.of("training.distributed.engine", "spark"));
        Path dir = tmp.resolve("fine-tuned-spark");
        long driverBefore = FineTuneTrainer.driverPasses();
        long tasksBefore = fineTuneTasks.get();
        TrainJob.Result r = new TrainJob(JobContext.of(spark, lake, c)).run(dir);
        spark.sparkContext().listenerBus().waitUntilEmpty();
        // the fits and the validation scoring ran as Spark tasks tagged cosmic.stage=fine-tune; the driver ran no
        // forward or backward pass of the network
        assertThat(FineTuneTrainer.driverPasses()).isEqualTo(driverBefore);
        assertThat(fineTuneStages).isNotEmpty();
        assertThat(fineTuneTasks.get() - tasksBefore).isGreaterThanOrEqualTo(2 * 2); // 2 epochs, fit and validation
        assertThat(r.featuresComputed()).isZero();
        assertThat(dir.resolve("network.zip")).isRegularFile();
        assertThat(dir.resolve("metadata.json"))
                .content()
                .contains("\"mode\" : \"fine-tune\"")
                .contains("\"unfreeze_from\" : \"block_10_expand\"")
                .contains("\"engine\" : \"spark\"")
                .contains("\"training_master\" : \"parameter-averaging\"")
                .contains("\"workers\" : 2")
                .contains("\"spark_master\" : \"local[2]\"");
        ModelStore.Loaded loaded = ModelStore.load(dir);
        assertThat(loaded.fineTuned()).isTrue();
        assertThat(loaded.graph().getConfiguration().getNetworkOutputs()).containsExactly("head_out");
        // the layers from training.unfreeze-from on were trained, the earlier ones kept the pretrained weights
        Backbone pretrained = Backbones.create(c.training());
        assertThat(loaded.graph().getLayer("block_10_expand").params())
                .isNotEqualTo(pretrained.graph().getLayer("block_10_expand").params());
        String first = pretrained.graph().getConfiguration().getTopologicalOrderStr().stream()
                .filter(n -> pretrained.graph().getLayer(n) != null
                        && pretrained.graph().getLayer(n).numParams() > 0)
                .findFirst()
                .orElseThrow();
        assertThat(loaded.graph().getLayer(first).params())
                .isEqualTo(pretrained.graph().getLayer(first).params());
        // the training's validation scoring agrees with scoring the saved network in one JVM (evaluate, engine
        // local) and with evaluate on the executors (engine spark: no pass in the driver, tasks tagged for it)
        EvaluateJob.Result val = new EvaluateJob(
                        JobContext.of(spark, lake, config(Map.of("training.distributed.engine", "local"))))
                .run(dir, "val");
        assertThat(val.report().macroF1())
                .isCloseTo(r.validation().macroF1(), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(val.report().accuracy())
                .isCloseTo(r.validation().accuracy(), org.assertj.core.api.Assertions.within(1e-9));
        long beforeScoring = FineTuneTrainer.driverPasses();
        EvaluateJob.Result onExecutors = new EvaluateJob(JobContext.of(spark, lake, c)).run(dir, "val");
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(FineTuneTrainer.driverPasses()).isEqualTo(beforeScoring);
        assertThat(scoringTasks.get()).isPositive();
        assertThat(onExecutors.report().confusion()).isDeepEqualTo(val.report().confusion());
        assertThat(onExecutors.report().macroAuc())
                .isCloseTo(val.report().macroAuc(), org.assertj.core.api.Assertions.within(1e-6));
        EvaluateJob.Result test = new EvaluateJob(JobContext.of(spark, lake, c)).run(dir, "test");
        assertThat(test.images()).isEqualTo(9);
        // deterministic: the same seed and data give the same network (views from seed, epoch and content hash;
        // minibatch seeds from their contents), whichever task fits what. Not bit for bit: Spark sums the workers'
        // parameters in the order their tasks finish, and float addition is not associative (seen under load).
        Path again = tmp.resolve("fine-tuned-spark-again");
        new TrainJob(JobContext.of(spark, lake, c)).run(again);
        double drift = ModelStore.load(again)
                .graph()
                .params()
                .sub(loaded.graph().params())
                .amaxNumber()
                .doubleValue();
        assertThat(drift).as("largest parameter difference between two runs").isLessThan(1e-3);
    }

    @Test
    void aRandomInitResNet50FineTunesOnTheExecutorsToo() {
        CosmicConfig c = config(Map.of(
                "training.distributed.engine",
                "spark",
                "training.backbone",
                "resnet50",
                "training.allow-random-weights",
                "true",
                "training.weights-dir",
                tmp.resolve("no-weights").toString(),
                "training.unfreeze-from",
                "res5c_branch2a",
                "training.epochs",
                "1",
                "training.feature-views",
                "1"));
        Path dir = tmp.resolve("fine-tuned-resnet50");
        long driverBefore = FineTuneTrainer.driverPasses();
        TrainJob.Result r = new TrainJob(JobContext.of(spark, lake, c)).run(dir);
        assertThat(FineTuneTrainer.driverPasses()).isEqualTo(driverBefore);
        assertThat(dir.resolve("metadata.json"))
                .content()
                .contains("resnet50v1_random_96")
                .contains("\"unfreeze_from\" : \"res5c_branch2a\"")
                .contains("\"engine\" : \"spark\"");
        // the executors' validation scoring covered every validation image (a random-init network after one epoch
        // learns nothing worth asserting; what is asserted is that it trained and scored there)
        long valImages = new com.cosmicmorphology.training.data.TrainingData(spark, lake)
                .load("val", TrainingTest.SIZE, "center-crop", false)
                .size();
        assertThat(r.validation().predicted()).hasSize((int) valImages);
        var loaded = ModelStore.load(dir);
        var init = Backbones.create(c.training());
        assertThat(loaded.graph().getLayer("res5c_branch2a").params())
                .isNotEqualTo(init.graph().getLayer("res5c_branch2a").params());
    }

    @Test
    void theLocalFineTuneCountsItsDriverPasses() {
        // the counter the Spark test relies on does count: the local mode runs every pass in this JVM
        long before = FineTuneTrainer.driverPasses();
        new TrainJob(JobContext.of(spark, lake, config(Map.of("training.distributed.engine", "local"))))
                .run(tmp.resolve("fine-tuned-local"));
        // per epoch: 24 training images fitted, 9 val images x 2 views scored
        assertThat(FineTuneTrainer.driverPasses() - before).isEqualTo(2 * (24 + 9 * 2));
    }

    @Test
    void theHeadInputSizeIsInferredWithoutAForwardPass() {
        Backbone b = Backbones.create(config(Map.of()).training());
        long inferred = GraphShapes.outputLength(b);
        long measured = b.graph()
                .outputSingle(false, b.toInput(Nd4j.rand(DataType.FLOAT, 1, b.inputSize(), b.inputSize(), 3)))
                .size(1);
        assertThat(inferred).isEqualTo(measured).isPositive();
    }

    @Test
    void anEpochsViewOfAnImageIsFixedBySeedEpochAndContent() {
        Set<Integer> seen = new java.util.HashSet<>();
        for (int e = 1; e <= 16; e++) {
            int v = SparkFineTuneTrainer.view(42, e, "abc");
            assertThat(v).isBetween(0, 7).isEqualTo(SparkFineTuneTrainer.view(42, e, "abc"));
            seen.add(v);
        }
        assertThat(seen.size()).isGreaterThan(2);
    }

    /**
     * A fine-tuned network scores in inference mode what it learned in training mode: the trainable batch norms'
     * running statistics follow the data (with Keras's decay of 0.999 they stayed ImageNet's, and the predictions
     * collapsed onto one class). Fitting one fixed batch with a learning rate too small to move the weights, the
     * inference output must come to equal the training-mode output.
     */
    @Test
    void aFineTunedNetworkScoresInInferenceModeWhatItLearnedInTrainingMode() {
        CosmicConfig.Training t = config(Map.of("training.dropout", "0", "training.learning-rate", "1e-7"))
                .training();
        Backbone b = Backbones.create(t);
        org.deeplearning4j.nn.graph.ComputationGraph net = FineTuneTrainer.network(b, t, 3, new float[] {1, 1, 1});
        Nd4j.getRandom().setSeed(7);
        org.nd4j.linalg.api.ndarray.INDArray x =
                b.toInput(Nd4j.rand(DataType.FLOAT, 16, b.inputSize(), b.inputSize(), 3));
        org.nd4j.linalg.api.ndarray.INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        for (int step = 0; step < 60; step++) {
            net.fit(new org.nd4j.linalg.dataset.DataSet(x, y));
        }
        org.nd4j.linalg.api.ndarray.INDArray training = net.outputSingle(true, x);
        org.nd4j.linalg.api.ndarray.INDArray inference = net.outputSingle(false, x);
        assertThat(inference.sub(training).amaxNumber().doubleValue()).isLessThan(0.02);
    }
}
