package com.cosmicmorphology.common.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/cluster-stop kills only the daemons deploy/cluster-start recorded: a PID file whose PID now belongs to
 * another process (PIDs are reused) leaves that process running. The stand-in daemons are shell loops whose
 * command line names the Spark main class, recorded by the same functions cluster-start uses.
 */
class ClusterStopTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String MASTER = "org.apache.spark.deploy.master.Master";
    static final String WORKER = "org.apache.spark.deploy.worker.Worker";

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatTheTestStarted() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
        return p;
    }

    /** A stand-in daemon: a shell loop with the class on its command line, as `java ... <class> ...` has. */
    private Process daemon(String mainClass) throws Exception {
        Process p = start("bash", "-c", "while :; do sleep 0.2; done", mainClass);
        // bash sets its command line before it runs the loop; wait until /proc shows it
        for (int i = 0;
                i < 100
                        && !Files.readString(Path.of("/proc/" + p.pid() + "/cmdline"))
                                .contains(mainClass);
                i++) {
            Thread.sleep(20);
        }
        return p;
    }

    private String bash(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", script, "test"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Records PID as NAME the way cluster-start does (start time read now, main class given). */
    private void record(Path run, String name, long pid, String mainClass) throws Exception {
        bash(
                ". \"$1\"; pid_record \"$2\" \"$3\" \"$4\" \"$5\"",
                ROOT.resolve("deploy/daemon-pids.sh").toString(),
                run.toString(),
                name,
                Long.toString(pid),
                mainClass);
    }

    private String clusterStop() throws Exception {
        return bash("\"$1\" --dir \"$2\"", ROOT.resolve("deploy/cluster-stop").toString(), tmp.toString());
    }

    @Test
    void aPidFileThatNowNamesAnUnrelatedProcessLeavesItRunning() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Process sleep = start("sleep", "300");
        // a PID file as an older cluster-start left it (the PID alone), whose PID is now someone's sleep
        Files.writeString(run.resolve("master.pid"), sleep.pid() + "\n");
        // the same with a record: the start time matches (it is the sleep's own), the main class does not
        Process sleep2 = start("sleep", "301");
        record(run, "worker-1", sleep2.pid(), WORKER);
        // the recorded main class, but another start time: a later process that got the recorded PID
        Process impostor = daemon(WORKER);
        Files.writeString(run.resolve("worker-2.pid"), impostor.pid() + "\n");
        Files.writeString(run.resolve("worker-2.id"), "1 " + WORKER + "\n");

        String out = clusterStop();

        Thread.sleep(300);
        assertThat(sleep.isAlive()).as(out).isTrue();
        assertThat(sleep2.isAlive()).as(out).isTrue();
        assertThat(impostor.isAlive()).as(out).isTrue();
        assertThat(out)
                .contains("PID " + sleep.pid() + " is not the " + MASTER)
                .contains("left it running")
                .contains("PID " + sleep2.pid() + " is not the " + WORKER)
                .contains("PID " + impostor.pid());
        assertThat(run.resolve("master.pid")).doesNotExist(); // the stale files are gone, so a second run is quiet
        assertThat(clusterStop()).doesNotContain("PID");
    }

    @Test
    void theDaemonsItRecordedAreStopped() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Process master = daemon(MASTER);
        Process worker = daemon(WORKER);
        record(run, "master", master.pid(), MASTER);
        record(run, "worker-1", worker.pid(), WORKER);

        String out = clusterStop();

        assertThat(master.waitFor(10, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(worker.waitFor(10, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(out)
                .contains("stopped master (PID " + master.pid() + ")")
                .contains("stopped worker-1 (PID " + worker.pid() + ")");
        try (var files = Files.list(run)) {
            assertThat(files.toList()).isEmpty();
        }
    }
}
