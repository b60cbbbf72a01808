package org.nd4j.nativeblas;

/**
 * Switches DL4J's oneDNN layer helpers back on. DL4J 1.0.0-M2.1 decides whether to use them by calling
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()} reflectively, a class that
 * ND4J M2.1 no longer has (it moved to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment}
 * and the method to {@code isUseONEDNN}); the lookup fails and the helpers stay off silently. This class,
 * under the old name, answers with the real setting. With
 * {@link com.cosmicmorphology.training.backbone.OneDnnHelpers} (the other switch), measured with
 * {@code ./cosmic bench train}: ResNet50 training 2.94 -> 11.97 images/s, MobileNetV2 inference 15.6 -> 75.5.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {}

    /** The old name of ND4J's native environment; only the query DL4J makes. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {}

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** The real setting; false where ND4J's CPU backend is absent (the -Pcuda build). Reflective for that reason. */
        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
