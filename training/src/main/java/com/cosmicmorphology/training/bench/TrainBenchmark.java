package com.cosmicmorphology.training.bench;

import com.cosmicmorphology.common.bench.BenchResult;
import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.training.backbone.ResNet50Variant;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./cosmic bench train}: the project's ResNet50 against torchvision's, like for like. Each side runs in
 * its own process ({@link Dl4jTrainSide}, {@code bench/torch_reference.py}) with the same environment, network
 * (variant, parameter count and forward FLOPs are compared and must agree), input size, batch, float32 NCHW
 * data, Adam, cross-entropy and thread count (set on both sides and read back: the bench refuses to report if
 * they differ). The sides run in both orders; each reports per-iteration times after its warm-ups, its own
 * peak RSS and its own measured arithmetic peak (ND4J's SGEMM; oneDNN's large convolutions); GFLOP/s are set
 * against the best of the two, and a figure above it stops the bench as the counting bug it would be.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "The project's ResNet50 against torchvision's: training and inference, same work, both orders.")
public final class TrainBenchmark implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "224")
    int size;

    @Option(names = "--batch", defaultValue = "16")
    int batch;

    @Option(names = "--warmup", defaultValue = "2")
    int warmup;

    @Option(
            names = "--iterations",
            defaultValue = "5",
            description = "Timed iterations per side and run (>= 5 for a report).")
    int iterations;

    @Option(names = "--threads", defaultValue = "0", description = "Threads for both sides (0 = available cores).")
    int threads;

    @Option(
            names = "--variant",
            defaultValue = "v1.5",
            description = "v1.5 (torchvision's) or v1; both sides build it.")
    String variant;

    @Option(
            names = "--layout",
            defaultValue = "NCHW",
            description = "Activations' layout on both sides: NCHW or NHWC "
                    + "(channels last; PyTorch's channels_last memory format).")
    String layout;

    @Option(names = "--orders", defaultValue = "2", description = "1: DL4J then PyTorch; 2: also PyTorch then DL4J.")
    int orders;

    @Option(names = "--python", defaultValue = "/usr/bin/python3")
    String python;

    @Option(
            names = "--keras-model",
            defaultValue = "models/mobilenet_v2_imagenet_block10_features.h5",
            description = "The offline backbone whose feature extraction is timed too (DL4J side; skipped if absent).")
    String kerasModel;

    @Option(names = "--skip-torch", description = "Run the DL4J side only (no ratio).")
    boolean skipTorch;

    @Spec
    CommandSpec spec;

    /** What one side's process reported. */
    record Side(
            String name,
            List<Double> trainS,
            List<Double> inferS,
            int threads,
            long params,
            double forwardFlops,
            double peakGflops,
            double peakRssMb,
            String version,
            String config,
            Map<String, Double> features) {}

    @Override
    public Integer call() throws Exception {
        ResNet50Variant v = ResNet50Variant.parse("--variant", variant);
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        List<Side> dl4j = new ArrayList<>();
        List<Side> torch = new ArrayList<>();
        for (int o = 0; o < orders; o++) {
            boolean dl4jFirst = o % 2 == 0;
            for (int k = 0; k < 2; k++) {
                if (dl4jFirst == (k == 0)) {
                    dl4j.add(runSide(dl4jCommand(v), t, "dl4j"));
                } else if (!skipTorch) {
                    torch.add(runSide(
                            List.of(
                                    python,
                                    torchScript().toString(),
                                    str(size),
                                    str(batch),
                                    str(t),
                                    str(warmup),
                                    str(iterations),
                                    v.key(),
                                    layout()),
                            t,
                            "pytorch"));
                }
            }
        }
        Side d = merge(dl4j);
        Side p = torch.isEmpty() ? null : merge(torch);
        check(d, p, t);
        return report(v, t, d, p);
    }

    /** Refuses a comparison that would not be like for like. */
    static void check(Side d, Side p, int t) {
        List<String> wrong = new ArrayList<>();
        if (d.threads() != t) {
            wrong.add("DL4J ran " + d.threads() + " threads, " + t + " requested");
        }
        if (p != null) {
            if (p.threads() != d.threads()) {
                wrong.add("threads differ: DL4J " + d.threads() + ", PyTorch " + p.threads());
            }
            if (p.params() != d.params()) {
                wrong.add("parameter counts differ: DL4J " + d.params() + ", PyTorch " + p.params());
            }
            if (Math.abs(p.forwardFlops() / d.forwardFlops() - 1) > 0.01) {
                wrong.add(String.format(
                        Locale.ROOT,
                        "forward FLOPs differ: DL4J %.3e, PyTorch %.3e",
                        d.forwardFlops(),
                        p.forwardFlops()));
            }
        }
        if (!wrong.isEmpty()) {
            throw new CosmicException(
                    ExitCode.JOB_FAILED, "bench train: not the same work, not reported: " + String.join("; ", wrong));
        }
    }

    private int report(ResNet50Variant v, int t, Side d, Side p) {
        PrintWriter out = spec.commandLine().getOut();
        double peak = Math.max(d.peakGflops(), p == null ? 0 : p.peakGflops());
        double fwd = d.forwardFlops() / 1e9;
        header(out, v, t, d, p, peak, fwd);
        List<String> over = sides(out, d, p, peak, fwd);
        versions(out, v, d, p);
        if (!over.isEmpty()) {
            throw new CosmicException(
                    ExitCode.JOB_FAILED,
                    "bench train: " + over + " above the measured peak of " + peak
                            + " GFLOP/s: the FLOP count or the timing is wrong, not reported");
        }
        BenchResult result = result(v, d, p, peak, fwd);
        d.features().forEach(result::with);
        out.println(result.line());
        out.flush();
        return ExitCode.OK.code();
    }

    /** The network, threads and peak both sides ran with. */
    private void header(PrintWriter out, ResNet50Variant v, int t, Side d, Side p, double peak, double fwd) {
        out.printf(
                Locale.ROOT,
                "ResNet50 %s, %d px, batch %d, float32 %s, Adam, %d threads (read back: DL4J %d%s)%n",
                v.key(),
                size,
                batch,
                layout(),
                t,
                d.threads(),
                p == null ? "" : ", PyTorch " + p.threads());
        out.printf(
                Locale.ROOT,
                "network: %,d trainable parameters, %.3f GFLOP forward per image (DL4J graph)%s%n",
                d.params(),
                fwd,
                p == null
                        ? ""
                        : String.format(Locale.ROOT, "; PyTorch %,d and %.3f", p.params(), p.forwardFlops() / 1e9));
        out.printf(
                Locale.ROOT,
                "machine peak at %d threads, the best either side measured: %.1f GFLOP/s (DL4J: "
                        + "OpenBLAS SGEMM 2048^3 %.1f; PyTorch: oneDNN large 1x1 convolutions %.1f)%n",
                t,
                peak,
                d.peakGflops(),
                p == null ? Double.NaN : p.peakGflops());
    }

    /** One line per side; returns the sides whose achieved GFLOP/s exceed the measured peak (a counting bug). */
    private List<String> sides(PrintWriter out, Side d, Side p, double peak, double fwd) {
        out.printf(
                "%-9s %-22s %-22s %11s %9s%n",
                "side", "train img/s [IQR] %peak", "infer img/s [IQR] %peak", "iterations", "peak RSS");
        List<String> over = new ArrayList<>();
        for (Side s : p == null ? List.of(d) : List.of(d, p)) {
            double tr = batch / median(s.trainS());
            double in = batch / median(s.inferS());
            double trPct = 100 * tr * 3 * fwd / peak;
            double inPct = 100 * in * fwd / peak;
            if (trPct > 105 || inPct > 105) {
                over.add(s.name());
            }
            out.printf(
                    Locale.ROOT,
                    "%-9s %6.2f [%s] %3.0f%%   %6.2f [%s] %3.0f%%   %5d+%-5d %6.0f MB%n",
                    s.name(),
                    tr,
                    iqr(s.trainS()),
                    trPct,
                    in,
                    iqr(s.inferS()),
                    inPct,
                    s.trainS().size(),
                    s.inferS().size(),
                    s.peakRssMb());
        }
        return over;
    }

    private void versions(PrintWriter out, ResNet50Variant v, Side d, Side p) {
        out.println("DL4J: " + d.version() + " (" + d.config() + ")");
        d.features()
                .forEach((k, x) -> out.printf(
                        Locale.ROOT,
                        "DL4J frozen feature extraction, %s: %.2f images/s " + "(NHWC, batch %d)%n",
                        k.equals("features_keras_img_s")
                                ? "offline backbone, default training.feature-layers (MobileNetV2, 224 px)"
                                : "ResNet50 " + v.key() + " without head (" + size + " px)",
                        x,
                        batch));
        if (p != null) {
            out.println("PyTorch: " + p.version() + " (" + p.config() + ")");
        }
    }

    private BenchResult result(ResNet50Variant v, Side d, Side p, double peak, double fwd) {
        double dTrain = batch / median(d.trainS());
        double dInfer = batch / median(d.inferS());
        double pTrain = p == null ? Double.NaN : batch / median(p.trainS());
        double pInfer = p == null ? Double.NaN : batch / median(p.inferS());
        return new BenchResult("train", dTrain, pTrain, "images/s")
                .with("forward_gflop", fwd)
                .with("threads_ours", d.threads())
                .with("threads_baseline", p == null ? "NaN" : Integer.toString(p.threads()))
                .with("infer_ours", dInfer)
                .with("infer_baseline", pInfer)
                .with("infer_ratio", dInfer / pInfer)
                .with("train_gflops", dTrain * 3 * fwd)
                .with("peak_gflops", peak)
                .with("peak_rss_mb", d.peakRssMb())
                .with("baseline_peak_rss_mb", p == null ? Double.NaN : p.peakRssMb())
                .with("rss_ratio", p == null ? Double.NaN : d.peakRssMb() / p.peakRssMb())
                .with("iterations_ours", d.trainS().size())
                .with("iterations_baseline", p == null ? 0 : p.trainS().size())
                .with("params", d.params())
                .with("variant", v.key())
                .with("layout", layout())
                .with("size", size)
                .with("batch", batch)
                .with("orders", orders);
    }

    private List<String> dl4jCommand(ResNet50Variant v) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Dl4jTrainSide.class.getName(),
                v.key(),
                str(size),
                str(batch),
                str(warmup),
                str(iterations),
                layout(),
                "full",
                kerasModel));
        return cmd;
    }

    /** Runs one side with the thread count in the environment both share; its last stdout line is its JSON. */
    private static Side runSide(List<String> cmd, int threads, String name) throws Exception {
        Map<?, ?> m = runJson(cmd, threads, name);
        return new Side(
                name,
                doubles(m.get("train_s")),
                doubles(m.get("infer_s")),
                num(m, "threads").intValue(),
                num(m, "params").longValue(),
                num(m, "forward_flops").doubleValue(),
                num(m, "peak_gflops").doubleValue(),
                num(m, "peak_rss_mb").doubleValue(),
                String.valueOf(m.get("version")),
                String.valueOf(m.get("config")),
                features(m));
    }

    private static Map<String, Double> features(Map<?, ?> m) {
        Map<String, Double> f = new java.util.TreeMap<>();
        m.forEach((k, v) -> {
            if (k.toString().startsWith("features_") && v instanceof Number n) {
                f.put(k.toString(), n.doubleValue());
            }
        });
        return f;
    }

    private static Map<?, ?> runJson(List<String> cmd, int threads, String name) throws Exception {
        Path log = Files.createTempFile("bench-train-" + name, ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", str(threads));
        pb.environment().put("MKL_NUM_THREADS", str(threads));
        System.err.println("bench train: running the " + name + " side (log: " + log + ")");
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.MINUTES) || proc.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new CosmicException(
                    ExitCode.JOB_FAILED,
                    "bench train: the " + name + " side failed ("
                            + String.join(" ", cmd.subList(0, Math.min(2, cmd.size()))) + "): "
                            + (lines.isEmpty() ? out.strip() : lines.get(lines.size() - 1))
                            + (name.equals("pytorch")
                                    ? "; install it with 'apt-get install python3-torch python3-torchvision' "
                                            + "or pass --skip-torch"
                                    : "")
                            + " (log: " + log + ")");
        }
        String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
        return new ObjectMapper().readValue(last, Map.class);
    }

    /** One side's runs as one: iterations pooled, the highest peak RSS and SGEMM, threads as the first reported. */
    private static Side merge(List<Side> runs) {
        Side f = runs.get(0);
        List<Double> tr = new ArrayList<>();
        List<Double> in = new ArrayList<>();
        double rss = 0;
        double gemm = 0;
        for (Side s : runs) {
            tr.addAll(s.trainS());
            in.addAll(s.inferS());
            rss = Math.max(rss, s.peakRssMb());
            gemm = Math.max(gemm, s.peakGflops());
            if (s.threads() != f.threads()) {
                throw new CosmicException(
                        ExitCode.JOB_FAILED,
                        "bench train: " + f.name() + " ran " + f.threads() + " then " + s.threads() + " threads");
            }
        }
        Map<String, Double> feats = new java.util.TreeMap<>();
        for (String k : f.features().keySet()) { // the median of the runs'
            List<Double> xs = runs.stream()
                    .map(s -> s.features().get(k))
                    .filter(java.util.Objects::nonNull)
                    .toList();
            feats.put(k, median(xs));
        }
        return new Side(
                f.name(), tr, in, f.threads(), f.params(), f.forwardFlops(), gemm, rss, f.version(), f.config(), feats);
    }

    private Path torchScript() throws Exception {
        Path script = Files.createTempFile("torch_reference", ".py");
        try (InputStream in = TrainBenchmark.class.getResourceAsStream("/bench/torch_reference.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    static double median(List<Double> xs) {
        return quantile(xs, 0.5);
    }

    /** Images/s at the 75th and 25th percentile of times (the faster first), as "lo-hi". */
    private String iqr(List<Double> xs) {
        return String.format(Locale.ROOT, "%.2f-%.2f", batch / quantile(xs, 0.75), batch / quantile(xs, 0.25));
    }

    private static double quantile(List<Double> xs, double q) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        double pos = q * (s.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return s.get(lo) + (s.get(hi) - s.get(lo)) * (pos - lo);
    }

    private static List<Double> doubles(Object o) {
        List<Double> out = new ArrayList<>();
        for (Object x : (List<?>) o) {
            out.add(((Number) x).doubleValue());
        }
        return out;
    }

    private static Number num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) {
            throw new CosmicException(ExitCode.JOB_FAILED, "bench train: a side reported no '" + k + "' (" + m + ")");
        }
        return n;
    }

    private String layout() {
        String l = layout.toUpperCase(Locale.ROOT);
        if (!l.equals("NCHW") && !l.equals("NHWC")) {
            throw new CosmicException(ExitCode.USAGE, "--layout must be NCHW or NHWC, got '" + layout + "'");
        }
        return l;
    }

    private static String str(int i) {
        return Integer.toString(i);
    }
}
