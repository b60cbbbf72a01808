package com.cosmicmorphology.training.data;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** HWC bytes to NHWC float batches in [0,1] (the pixel/255 normalisation recorded by prepare). */
public final class Batches {
    private Batches() {}

    public static INDArray nhwc(List<byte[]> images, int size) {
        int per = size * size * 3;
        float[] data = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            byte[] b = images.get(i);
            for (int j = 0; j < per; j++) {
                data[i * per + j] = (b[j] & 0xff) / 255f;
            }
        }
        return Nd4j.create(data, new long[] {images.size(), size, size, 3}, DataType.FLOAT);
    }
}
