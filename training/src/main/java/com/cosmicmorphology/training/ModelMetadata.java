package com.cosmicmorphology.training;

import com.cosmicmorphology.common.config.CosmicConfig;
import com.cosmicmorphology.common.config.TrainingMode;
import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.training.backbone.Backbone;
import com.cosmicmorphology.training.data.LabelledImage;
import com.cosmicmorphology.training.model.TrainedFrom;
import com.cosmicmorphology.training.selection.CvMetadata;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code metadata.json} says about a trained model: identity, classes, backbone and inputs, mode, where
 * it trained (engine, master, workers), hyper-parameters, standardisation, the table versions and images it
 * came from ({@code trained_from}, which {@code --skip-if-unchanged} compares), the cross-validation estimate
 * and the validation figures. Scoring, evaluation and the next {@code train} read these keys.
 */
final class ModelMetadata {
    private final CosmicConfig config;
    private final LakeLayout lake;

    ModelMetadata(CosmicConfig config, LakeLayout lake) {
        this.config = config;
        this.lake = lake;
    }

    Map<String, Object> of(
            String modelId,
            List<String> classes,
            Backbone backbone,
            String policy,
            TrainJob.Outcome outcome,
            String master,
            Map<String, Long> tableVersions,
            List<LabelledImage> pool) {
        CosmicConfig.Training t = config.training();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("model_id", modelId);
        meta.put("classes", classes);
        meta.put("backbone", backbone.describe());
        meta.put("backbone_id", backbone.id());
        meta.put("input_size", t.inputSize());
        meta.put("resize_policy", policy);
        meta.put("normalisation", "pixel/255");
        meta.put("mode", t.mode().key());
        if (t.mode() != TrainingMode.FROZEN) {
            meta.put("unfreeze_from", t.unfreezeFrom());
            meta.put("augmentation", "random dihedral view (rotations by 90 degrees, flips) per image and epoch");
        }
        meta.put("feature_views", t.featureViews());
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("engine", outcome.workers() > 0 ? "spark" : "local");
        where.put("spark_master", master);
        if (outcome.workers() > 0) {
            where.put("training_master", t.distributed().trainingMaster());
            where.put("workers", outcome.workers());
            if (t.distributed().trainingMaster().equals("parameter-averaging")) {
                where.put("averaging_frequency", t.distributed().averagingFrequency());
            }
        }
        meta.put("training_engine", where);
        meta.put("hyper_parameters", outcome.hyperParameters());
        if (outcome.standardiser() != null) {
            meta.put("standardiser_mean", outcome.standardiser().mean());
            meta.put("standardiser_std", outcome.standardiser().std());
        }
        meta.put("table_versions", tableVersions);
        // what train --skip-if-unchanged compares with next time: the images and settings this model came from
        meta.put(TrainedFrom.KEY, TrainedFrom.of(pool, config).metadata());
        meta.put("lake", lake.root());
        meta.putAll(outcome.imagesUsed());
        if (outcome.cv() != null) {
            meta.put("cross_validation", CvMetadata.of(outcome.cv()));
        }
        Map<String, Object> vm = new LinkedHashMap<>();
        vm.put("accuracy", outcome.validation().accuracy());
        vm.put("macro_f1", outcome.validation().macroF1());
        vm.put("macro_roc_auc", outcome.validation().macroAuc());
        vm.put("measured_on", outcome.cv() != null ? "cross-validation, out-of-fold predictions" : "val split");
        meta.put("validation_metrics", vm);
        meta.put("trained_at", Instant.now().toString());
        return meta;
    }
}
