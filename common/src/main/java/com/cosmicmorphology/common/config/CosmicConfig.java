package com.cosmicmorphology.common.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The one typed configuration of every job. Built by {@link ConfigLoader} from built-in defaults
 * ({@code cosmic-defaults.yaml}), a YAML file, {@code COSMIC_*} environment variables and options, in
 * that order of increasing precedence. Keys are kebab-case in YAML ({@code nasa.http.max-retries}).
 * Secrets never live here: they come from the environment or the Hadoop/AWS credential chain.
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record CosmicConfig(
        Lake lake,
        Spark spark,
        S3 s3,
        Nasa nasa,
        Ingest ingest,
        Progress progress,
        Eda eda,
        Clean clean,
        Split split,
        Inputs inputs,
        Training training,
        Decode decode,
        Synthetic synthetic) {

    /** Where the Delta tables live: a local path or an {@code s3a://bucket/prefix} URI. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Lake(String root) {}

    /**
     * Spark settings. {@code master} is used unless the job was launched by spark-submit (which sets
     * {@code spark.master} itself) and no {@code --master} option overrides it.
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Spark(String master, String appName, int shufflePartitions, Map<String, String> conf) {}

    /**
     * S3A settings for s3a:// lakes; credentials come from the AWS chain (env, profile, instance role).
     * {@code logStore}: how Delta commits there (see {@link S3LogStore}); {@code dynamodbTable} and
     * {@code dynamodbRegion}: the DynamoDB table the {@code dynamodb} log store keeps commits in.
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record S3(
            String endpoint,
            boolean pathStyleAccess,
            boolean sslEnabled,
            String credentialsProvider,
            S3LogStore logStore,
            String dynamodbTable,
            String dynamodbRegion) {}

    /**
     * The NASA Image and Video Library search API. {@code maxPages} per query (0: all, up to {@code pageCap}, the
     * hard stop against a server whose {@code next} links never end); preview and next links are fetched only
     * from {@code allowedHosts} (plus the API's own host).
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Nasa(
            String apiUrl,
            List<String> queries,
            int pageSize,
            int maxPages,
            int pageCap,
            LabelPolicy labelPolicy,
            Map<String, String> labelMap,
            List<String> allowedHosts,
            Http http) {}

    /** HTTP behaviour of the NASA client: timeouts, retries, rate limits, download concurrency. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Http(
            int connectTimeoutMs,
            int readTimeoutMs,
            int maxRetries,
            int backoffBaseMs,
            int backoffMaxMs,
            int maxRetryAfterS,
            int concurrency,
            int rateLimitLowWatermark,
            int rateLimitPauseMs,
            String userAgent) {}

    /**
     * How ingest lands rows: images per Delta MERGE (bounds memory: two batches of bytes at a time), the largest
     * image accepted from any source, and {@code folderLabelMap}: a labelled folder's class-folder names (matched
     * as labels are spelled: lower case, underscores) renamed to this product's classes, e.g. SpaceNet's
     * {@code nebula: emission_reflection_nebula}; unmapped folders keep their own name as label.
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Ingest(int batchSize, long maxImageBytes, Map<String, String> folderLabelMap) {}

    /**
     * The pixel budget of every image decode (ingest, statistics, model inputs, EDA, predict): an image whose
     * header declares more than {@code maxDecodedPixels} is decoded subsampled to fit, one over
     * {@code maxDeclaredPixels} is refused (quarantined as too_many_pixels) without being decoded.
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Decode(long maxDecodedPixels, long maxDeclaredPixels) implements java.io.Serializable {}

    /** Progress lines on long runs: at most one per interval, so logs stay readable in Airflow. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Progress(int intervalS) {}

    /** EDA: where the report goes, and what counts as dark sky background. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Eda(String reportDir, double darkThreshold, int thumbnailsPerClass) {}

    /**
     * Cleaning rules. A near-duplicate is within {@code nearDuplicateMaxHamming} bits of 64 (difference
     * hash); a sky photograph has at least {@code minDarkFraction} of dark pixels; items whose keywords or
     * title mention a {@code nonSkyKeywords} word are not sky photographs; a file name stem shared by at
     * least {@code mosaicMinTiles} files marks the tiles of a mosaic. {@code classes}: the classes the model
     * learns; an image labelled otherwise (a SpaceNet {@code planet} folder, a query nobody mapped) stays in the
     * lake and is excluded as {@code unknown_class} instead of becoming a class of its own (empty: every label is
     * a class).
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Clean(
            int nearDuplicateMaxHamming,
            double nearDuplicateMinCorrelation,
            double minDarkFraction,
            List<String> nonSkyKeywords,
            int mosaicMinTiles,
            boolean excludeMosaicTiles,
            List<String> classes) {}

    /** Deterministic stratified split: the seed and train/val/test ratios. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Split(long seed, List<Double> ratios) {}

    /**
     * Synthetic training images. {@code perImage}: how many variants {@code synthesize} makes of every train and
     * val image (seeded by {@code seed}); {@code trainPerImage}: how many of them training adds to each image of
     * its pool (0: none), as training-only examples: never scored, never in val or test, and in
     * cross-validation always in their parent's fold.
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Synthetic(int perImage, long seed, int trainPerImage) implements java.io.Serializable {}

    /** Model inputs: square side in pixels and how a non-square image becomes square. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Inputs(int size, ResizePolicy policy) {}

    /**
     * Training. {@code backbone}: keras-h5 (the file {@code kerasModel}, NHWC, pixel/255), resnet50 or
     * squeezenet (DL4J zoo; ImageNet weights looked up in {@code weightsDir}, else random weights only if
     * {@code allowRandomWeights}); {@code resnetVariant}: v1 (stride on the first 1x1 of a downsampling block, what
     * ImageNet weights were trained with) or v1.5 (stride on the 3x3, torchvision's). {@code mode}: frozen (features cached once, head trained on them) or
     * fine-tune (layers from {@code unfreezeFrom} on are trained, with sky-suited augmentation). {@code head}: auto
     * (the better of linear and mlp by cross-validation), linear or mlp; {@code cvFolds}: grouped, stratified folds
     * over the train and val splits that choose the head and its epochs. {@code featureLayers}: for keras-h5, which
     * activations make the feature vector ({@code layer:avg|max|grid}, {@code pixels:stats}; empty: the model's output).
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Training(
            BackboneKind backbone,
            String kerasModel,
            String weightsDir,
            boolean allowRandomWeights,
            String resnetVariant,
            TrainingMode mode,
            int inputSize,
            String unfreezeFrom,
            int featureViews,
            int epochs,
            int batchSize,
            double learningRate,
            int hidden,
            double dropout,
            double l2,
            int patience,
            boolean classWeights,
            long seed,
            String head,
            int cvFolds,
            List<String> featureLayers,
            String modelDir,
            Distributed distributed)
            implements java.io.Serializable {

        /** The same settings with another Keras model file (an executor's local copy of the shipped file). */
        public Training withKerasModel(String file) {
            return copy(file, epochs, patience, distributed);
        }

        /** The same settings with other distributed-training settings. */
        public Training withDistributed(Distributed d) {
            return copy(kerasModel, epochs, patience, d);
        }

        /** The same settings with another number of epochs and patience (a benchmark's fixed-length runs). */
        public Training withEpochs(int epochs, int patience) {
            return copy(kerasModel, epochs, patience, distributed);
        }

        /** The one copy constructor the withers share (records have no "with"). */
        private Training copy(String kerasModel, int epochs, int patience, Distributed d) {
            return new Training(
                    backbone,
                    kerasModel,
                    weightsDir,
                    allowRandomWeights,
                    resnetVariant,
                    mode,
                    inputSize,
                    unfreezeFrom,
                    featureViews,
                    epochs,
                    batchSize,
                    learningRate,
                    hidden,
                    dropout,
                    l2,
                    patience,
                    classWeights,
                    seed,
                    head,
                    cvFolds,
                    featureLayers == null ? null : List.copyOf(featureLayers),
                    modelDir,
                    d);
        }
    }

    /**
     * Training over Spark executors with dl4j-spark (frozen mode: the head on cached features; fine-tune mode:
     * the backbone from {@code unfreezeFrom} and the head on pixels the executors read).
     * {@code engine}: local (one JVM), spark (dl4j-spark on the session's executors), or auto (spark when the
     * master is not local). {@code trainingMaster}: parameter-averaging (workers fit {@code averagingFrequency}
     * minibatches, then their parameters are averaged) or shared (gradient sharing over Aeron, workers reach each
     * other and the driver on {@code sharedPort} within {@code sharedNetworkMask}).
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Distributed(
            DistributedEngine engine,
            String trainingMaster,
            int workers,
            int averagingFrequency,
            int sharedPort,
            String sharedNetworkMask,
            String sharedControllerAddress)
            implements java.io.Serializable {}
}
