package com.cosmicmorphology.training.selection;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's OpenMP pool is per process, sized for the whole machine. Small heads trained by concurrent Spark
 * tasks (one per core) each asked for every core's thread, and OpenMP's spinning threads then fought over the
 * cores: cross-validation ran several times slower than its arithmetic. While any task of this kind runs in a
 * JVM its pool is one thread (the tasks already use every core); the last task to leave restores the size the
 * JVM had, so the driver's own work (local mode runs tasks in the driver) gets all cores back.
 */
final class OneThreadPerTask {
    private static int active;
    private static int saved;

    private OneThreadPerTask() {}

    static synchronized void enter() {
        // ND4J initialises its backend (which loads the native library behind NativeOpsHolder) on first use of
        // Nd4j; reaching NativeOpsHolder first, as a fresh executor JVM's first task did, failed its class
        // initialisation for the JVM's whole life (NoClassDefFoundError on every later task).
        Nd4j.getExecutioner();
        if (active++ == 0) {
            saved = NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
        }
    }

    static synchronized void exit() {
        if (--active == 0) {
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(saved);
        }
    }
}
