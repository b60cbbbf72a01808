package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * The worker JVMs of one {@code bench distributed} shape: {@code local-cluster[workers,cores,mb]} (Spark's
 * standalone master and workers inside this JVM, the executors real JVMs of their own) with the training
 * module's jar on their classpath, ND4J's threads set to the cores of each, dl4j-spark as the engine.
 */
final class WorkerCluster implements AutoCloseable {
    final int workers;
    final int cores;
    final JobContext context;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();

    WorkerCluster(
            JobOptions options,
            String lakeRoot,
            Map<String, String> settings,
            int workers,
            int cores,
            int memoryMb,
            Path jar) {
        this.workers = workers;
        this.cores = cores;
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put("spark.master", "local-cluster[" + workers + "," + cores + "," + memoryMb + "]");
        s.put("spark.conf.spark.jars", jar.toAbsolutePath().toString());
        s.put("spark.conf.spark.executorEnv.OMP_NUM_THREADS", Integer.toString(cores));
        // the shared training master's Aeron media driver: a generous unblock timeout and a private directory
        s.put(
                "spark.conf.spark.executor.extraJavaOptions",
                "-Daeron.publication.unblock.timeout=60000000000 -Daeron.dir=" + System.getProperty("java.io.tmpdir")
                        + "/cosmic-aeron");
        System.setProperty("aeron.publication.unblock.timeout", "60000000000");
        s.put("training.distributed.engine", "spark");
        s.put("training.distributed.workers", Integer.toString(workers * cores));
        this.context = JobContext.from(new JobOptions(lakeRoot, options.conf(), null, options.set()), s);
    }

    SparkSession spark() {
        return context.spark();
    }

    /**
     * Runs {@code work}, cancelling the session's jobs after {@code timeoutS} (measured: shared gradients on two
     * worker JVMs here never finished an epoch; a run must not hang the bench).
     */
    <T> T withTimeout(int timeoutS, Callable<T> work) throws Exception {
        var cancel = watchdog.schedule(() -> spark().sparkContext().cancelAllJobs(), timeoutS, TimeUnit.SECONDS);
        try {
            return work.call();
        } finally {
            cancel.cancel(false);
        }
    }

    /** Why a run failed, in one line: the root cause, or the watchdog's cancellation. */
    static String why(Throwable e, int timeoutS) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getClass().getSimpleName() + ": " + root.getMessage();
        return why.contains("cancellation of all jobs")
                ? "did not finish within --run-timeout-s " + timeoutS + " s (cancelled)"
                : why;
    }

    /**
     * Summed peak RSS (VmHWM) of the executor JVMs: with local-cluster they are child processes of this JVM's
     * in-process workers, so this JVM's descendants running Spark's executor backend.
     */
    static double executorPeakRssMb() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .mapToDouble(p -> {
                    try {
                        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                            if (l.startsWith("VmHWM:")) {
                                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                            }
                        }
                    } catch (Exception e) {
                        return 0; // the executor ended meanwhile
                    }
                    return 0;
                })
                .sum();
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        context.spark().stop();
    }
}
