package com.cosmicmorphology.common.config;

import java.util.Set;

/** Range and shape checks the type system cannot express; each failure names the key and the valid range. */
final class ConfigValidator {
    private static final Set<String> LAKE_SCHEMES = Set.of("file", "s3a", "hdfs", "abfs", "abfss", "gs");

    private ConfigValidator() {}

    static void validate(CosmicConfig c) {
        lakeAndStorage(c);
        nasa(c);
        ingestAndDecode(c);
        processing(c);
        training(c.training());
    }

    private static void lakeAndStorage(CosmicConfig c) {
        String root = c.lake().root();
        if (root == null || root.isBlank()) {
            throw new ConfigException(
                    "lake.root is empty; set it to a local path (./lake) or an s3a://bucket/prefix URI");
        }
        int colon = root.indexOf("://");
        if (colon > 0) {
            String scheme = root.substring(0, colon);
            if (!LAKE_SCHEMES.contains(scheme)) {
                throw new ConfigException("lake.root '" + root + "' has scheme '" + scheme + "'; valid schemes: "
                        + String.join(", ", new java.util.TreeSet<>(LAKE_SCHEMES)) + " (use s3a://, not s3://)");
            }
        }
        if (c.s3().logStore() == S3LogStore.DYNAMODB) {
            for (String[] kv : new String[][] {
                {"s3.dynamodb-table", c.s3().dynamodbTable()}, {"s3.dynamodb-region", c.s3().dynamodbRegion()}
            }) {
                if (kv[1] == null || kv[1].isBlank()) {
                    throw new ConfigException(
                            kv[0] + " is empty; s3.log-store=dynamodb needs the DynamoDB table Delta commits "
                                    + "through and its region (e.g. s3.dynamodb-table=delta_log, s3.dynamodb-region=us-east-1)");
                }
            }
        }
    }

    private static void nasa(CosmicConfig c) {
        positive("spark.shuffle-partitions", c.spark().shufflePartitions());
        positive("nasa.page-size", c.nasa().pageSize());
        atLeast("nasa.max-pages", c.nasa().maxPages(), 0);
        positive("nasa.page-cap", c.nasa().pageCap());
        if (c.nasa().allowedHosts() == null) {
            throw new ConfigException(
                    "nasa.allowed-hosts must be a list of host names (e.g. [images-assets.nasa.gov])");
        }
        if (c.nasa().queries() == null) {
            throw new ConfigException("nasa.queries must be a list of search terms");
        }
        CosmicConfig.Http h = c.nasa().http();
        positive("nasa.http.connect-timeout-ms", h.connectTimeoutMs());
        positive("nasa.http.read-timeout-ms", h.readTimeoutMs());
        atLeast("nasa.http.max-retries", h.maxRetries(), 0);
        positive("nasa.http.backoff-base-ms", h.backoffBaseMs());
        atLeast("nasa.http.backoff-max-ms", h.backoffMaxMs(), h.backoffBaseMs());
        atLeast("nasa.http.max-retry-after-s", h.maxRetryAfterS(), 0);
        between("nasa.http.concurrency", h.concurrency(), 1, 256);
        atLeast("nasa.http.rate-limit-low-watermark", h.rateLimitLowWatermark(), 0);
        atLeast("nasa.http.rate-limit-pause-ms", h.rateLimitPauseMs(), 0);
    }

    private static void ingestAndDecode(CosmicConfig c) {
        between("ingest.batch-size", c.ingest().batchSize(), 1, 100_000);
        positive("ingest.max-image-bytes", c.ingest().maxImageBytes());
        positive("decode.max-decoded-pixels", c.decode().maxDecodedPixels());
        if (c.decode().maxDeclaredPixels() < c.decode().maxDecodedPixels()) {
            throw new ConfigException(
                    "decode.max-declared-pixels (" + c.decode().maxDeclaredPixels() + ") must be at least "
                            + "decode.max-decoded-pixels (" + c.decode().maxDecodedPixels() + ")");
        }
        positive("progress.interval-s", c.progress().intervalS());
    }

    private static void processing(CosmicConfig c) {
        fraction("eda.dark-threshold", c.eda().darkThreshold());
        atLeast("eda.thumbnails-per-class", c.eda().thumbnailsPerClass(), 0);
        between("clean.near-duplicate-max-hamming", c.clean().nearDuplicateMaxHamming(), 0, 16);
        fraction("clean.min-dark-fraction", c.clean().minDarkFraction());
        fraction("clean.near-duplicate-min-correlation", c.clean().nearDuplicateMinCorrelation());
        atLeast("clean.mosaic-min-tiles", c.clean().mosaicMinTiles(), 2);
        labels(c);
        ratios("split.ratios", c.split().ratios());
        between("inputs.size", c.inputs().size(), 8, 1024);
        between("synthetic.per-image", c.synthetic().perImage(), 0, 64);
        between("synthetic.train-per-image", c.synthetic().trainPerImage(), 0, 64);
    }

    private static void training(CosmicConfig.Training t) {
        oneOf("training.resnet-variant", t.resnetVariant(), "v1", "v1.5");
        oneOf("training.head", t.head(), "auto", "linear", "mlp");
        between("training.cv-folds", t.cvFolds(), 2, 20);
        for (String f : t.featureLayers()) {
            if (!f.matches("[A-Za-z0-9_]+:(avg|max|grid)") && !f.equals("pixels:stats")) {
                throw new ConfigException("training.feature-layers entry '" + f + "' must be layer:avg, layer:max, "
                        + "layer:grid (2x2 average) or pixels:stats (colour, dark fraction, sharpness, radial profile of the "
                        + "input), e.g. block_10_project_BN:avg");
            }
        }
        oneOf("training.feature-views", Integer.toString(t.featureViews()), "1", "2", "4", "8");
        between("training.input-size", t.inputSize(), 16, 1024);
        positive("training.epochs", t.epochs());
        positive("training.batch-size", t.batchSize());
        positive("training.hidden", t.hidden());
        fraction("training.dropout", t.dropout());
        atLeast("training.patience", t.patience(), 1);
        CosmicConfig.Distributed d = t.distributed();
        oneOf("training.distributed.training-master", d.trainingMaster(), "parameter-averaging", "shared");
        atLeast("training.distributed.workers", d.workers(), 0);
        positive("training.distributed.averaging-frequency", d.averagingFrequency());
        between("training.distributed.shared-port", d.sharedPort(), 1024, 65535);
        if (!(t.learningRate() > 0)) {
            throw new ConfigException("training.learning-rate must be above 0, got " + t.learningRate());
        }
    }

    /**
     * Classes are spelled as labels are (lower case, underscores), and every label map renames into one of them:
     * a map into a class the model does not have would hide images as unknown_class.
     */
    private static void labels(CosmicConfig c) {
        java.util.List<String> classes = c.clean().classes();
        if (classes == null || c.ingest().folderLabelMap() == null || c.nasa().labelMap() == null) {
            throw new ConfigException("clean.classes must be a list, ingest.folder-label-map and nasa.label-map maps");
        }
        for (String cls : classes) {
            if (!cls.equals(com.cosmicmorphology.common.labels.LabelNames.normalise(cls))) {
                throw new ConfigException("clean.classes entry '" + cls + "' must be spelled as a label: '"
                        + com.cosmicmorphology.common.labels.LabelNames.normalise(cls) + "'");
            }
        }
        for (var map : java.util.List.of(
                java.util.Map.entry("ingest.folder-label-map", c.ingest().folderLabelMap()),
                java.util.Map.entry("nasa.label-map", c.nasa().labelMap()))) {
            for (var e : map.getValue().entrySet()) {
                if (!classes.isEmpty() && !classes.contains(e.getValue())) {
                    throw new ConfigException(map.getKey() + " maps '" + e.getKey() + "' to '" + e.getValue()
                            + "', which is not one of clean.classes; valid: " + String.join(", ", classes));
                }
            }
        }
    }

    /** Three non-negative ratios (train, val, test) summing to 1. */
    static void ratios(String key, java.util.List<Double> r) {
        if (r == null
                || r.size() != 3
                || r.stream().anyMatch(x -> x == null || x < 0)
                || Math.abs(r.stream().mapToDouble(Double::doubleValue).sum() - 1.0) > 1e-6) {
            throw new ConfigException(key + " must be three non-negative numbers summing to 1 (train,val,test), e.g. "
                    + "0.7,0.15,0.15; got " + r);
        }
    }

    private static void oneOf(String key, String v, String... valid) {
        if (!java.util.Arrays.asList(valid).contains(v)) {
            throw new ConfigException(key + ": '" + v + "' is not valid; valid values: " + String.join(", ", valid));
        }
    }

    private static void fraction(String key, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new ConfigException(key + " must be between 0 and 1, got " + v);
        }
    }

    private static void positive(String key, long v) {
        atLeast(key, v, 1);
    }

    private static void atLeast(String key, long v, long min) {
        if (v < min) {
            throw new ConfigException(key + " must be at least " + min + ", got " + v);
        }
    }

    private static void between(String key, long v, long min, long max) {
        if (v < min || v > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + v);
        }
    }
}
