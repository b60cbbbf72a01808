package com.cosmicmorphology.training.backbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The check every graph builder of the project passes: a 3-class network at 32 px learns, in both layouts. */
final class SmallTrainingRun {
    private SmallTrainingRun() {}

    /** @param build a 32 px, 3-class configuration with Adam in the given layout */
    static void learnsInBothLayoutsAndRoundTripsThroughJson(
            Function<CNN2DFormat, ComputationGraphConfiguration> build, int steps) {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            ComputationGraphConfiguration conf = build.apply(format);
            // the project's SameDiff parts are custom classes: a saved model must load them back
            assertThat(ComputationGraphConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            long[] shape = format == CNN2DFormat.NCHW ? new long[] {4, 3, 32, 32} : new long[] {4, 32, 32, 3};
            INDArray x = Nd4j.rand(DataType.FLOAT, shape);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
            for (int i = 0; i < 4; i++) {
                y.putScalar(i, i % 3, 1);
            }
            DataSet batch = new DataSet(x, y);
            double before = g.score(batch);
            for (int step = 0; step < steps; step++) {
                g.fit(batch);
            }
            assertThat(g.score(batch)).as(format.name()).isLessThan(before);
            // a random start gives a sane loss: near ln(3) for 3 classes, not the blow-up of a bad init
            assertThat(before).as(format.name()).isBetween(0.3, 5.0);
        }
    }
}
