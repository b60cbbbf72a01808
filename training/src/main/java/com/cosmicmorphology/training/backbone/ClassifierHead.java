package com.cosmicmorphology.training.backbone;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The end of the project's graph builders: their published softmax head, or their feature vertex as output. */
final class ClassifierHead {
    private ClassifierHead() {}

    /**
     * @param classes 0: {@code features} is the graph's output; else a softmax layer {@code head} of that many
     *     classes on it
     * @param keep the probability of keeping each feature before the head (DL4J's {@code dropOut(p)}), 1 for none
     */
    static ComputationGraphConfiguration finish(
            ComputationGraphConfiguration.GraphBuilder g, String features, String head, int classes, double keep) {
        if (classes > 0) {
            OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(classes)
                    .activation(Activation.SOFTMAX)
                    .weightInit(WeightInit.XAVIER);
            if (keep < 1) {
                out.dropOut(keep);
            }
            g.addLayer(head, out.build(), features);
            g.setOutputs(head);
        } else {
            g.setOutputs(features);
        }
        return g.build();
    }
}
