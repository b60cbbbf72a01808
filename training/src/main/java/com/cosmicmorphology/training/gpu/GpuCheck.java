package com.cosmicmorphology.training.gpu;

import java.util.Properties;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run by {@code deploy/gpu-check} on a GPU node: proves ND4J's CUDA backend loads, names the device, and trains
 * ResNet50 for a few steps (random weights and inputs), printing images/s. Exit 0 only if the CUDA backend
 * trained with a finite loss ({@code --allow-cpu}: also accept the CPU backend, to try the script anywhere).
 * Usage: {@code GpuCheck [--steps N] [--batch N] [--size PX] [--allow-cpu]}.
 */
public final class GpuCheck {
    private GpuCheck() {}

    public static void main(String[] args) {
        int steps = 5;
        int batch = 16;
        int size = 224;
        boolean allowCpu = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--allow-cpu" -> allowCpu = true;
                default -> {
                    System.err.println(
                            "gpu-check: unknown option '" + args[i] + "' (valid: --steps --batch --size --allow-cpu)");
                    System.exit(2);
                }
            }
        }
        com.cosmicmorphology.training.backbone.OneDnnHelpers.enable(); // cuDNN helpers on CUDA, oneDNN on CPU
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getProperty("backend"));
        System.out.println(
                "ND4J backend: " + backend + " (" + Nd4j.getBackend().getClass().getName() + ")");
        Object devices = env.get("cuda.availableDevices");
        System.out.println("devices: "
                + (devices == null
                        ? "none (CPU backend, " + Runtime.getRuntime().availableProcessors() + " cores)"
                        : devices));
        boolean cuda = backend.equalsIgnoreCase("CUDA");
        if (!cuda && !allowCpu) {
            System.err.println("gpu-check: the CUDA backend did not load (backend " + backend
                    + "); build with 'mvn -Pcuda package' " + "and check the driver (nvidia-smi) supports CUDA 11.6");
            System.exit(1);
        }
        ComputationGraph net = new ComputationGraph(com.cosmicmorphology.training.backbone.ResNet50Graph.build(
                com.cosmicmorphology.training.backbone.ResNet50Variant.V1_5, size, 10, 42, null));
        net.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, size, size).addi(0.01);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        DataSet ds = new DataSet(x, y);
        net.fit(ds); // warm-up: kernels, workspaces
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            net.fit(ds);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        double loss = net.score();
        System.out.printf(
                "ResNet50 training, %dpx batch %d: %d steps in %.1f s = %.1f images/s, loss %.3f%n",
                size, batch, steps, sec, steps * batch / sec, loss);
        if (!Double.isFinite(loss)) {
            System.err.println("gpu-check: the loss is not finite");
            System.exit(1);
        }
        System.out.println("gpu-check: OK (" + backend + ")");
    }
}
