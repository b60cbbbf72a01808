package com.cosmicmorphology.common.cli;

import com.cosmicmorphology.common.lake.LakeLayout;
import com.cosmicmorphology.common.spark.SparkSessions;
import java.io.PrintWriter;
import java.util.ServiceLoader;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./cosmic} and of spark-submit runs: collects every module's commands through
 * {@link ServiceLoader} and maps failures to one line on stderr and an {@link ExitCode}.
 */
@Command(
        name = "cosmic",
        mixinStandardHelpOptions = true,
        version = "cosmic-morphology 0.1.0",
        description = "NASA imagery into a labelled Delta lake and a classifier of celestial objects.",
        subcommands = {
            CommandLine.HelpCommand.class,
            SqlCommand.class,
            PipelineCommand.class,
            PipelineCommand.Demo.class
        })
public final class Cosmic implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Cosmic.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(args);
        System.out.flush();
        System.err.flush();
        if (code != ExitCode.OK.code() || !LaunchMode.returnsOnSuccess(System.getProperties())) {
            // the status is what ./cosmic, spark-submit and Airflow read; exiting also ends threads a library left
            // running (HTTP clients, ND4J) that would otherwise keep a finished job's JVM alive
            System.exit(code);
        }
        // YARN cluster mode: the ApplicationMaster reports success when main returns, and then ends the JVM itself
    }

    /**
     * Runs a command line to its end for {@link #main}: whatever happens, the SparkSession the command started is
     * stopped before the JVM goes (executors released, event log closed) and anything thrown becomes one line
     * on stderr and {@link ExitCode#JOB_FAILED}. Tests call {@link #run} instead: their session is shared.
     */
    static int execute(String... args) {
        try {
            return run(args);
        } catch (Throwable e) { // an Error (a missing class on a cluster's classpath) escapes picocli's handler
            LOG.error("cosmic failed", e);
            System.err.println("cosmic: failed: " + rootMessage(e) + " (stack trace above)");
            return ExitCode.JOB_FAILED.code();
        } finally {
            SparkSessions.stopAll();
        }
    }

    /**
     * Runs a command line and returns its exit status; never calls System.exit (tests call this). Commands print
     * through their {@code @Spec}'s {@code commandLine().getOut()}, so a caller redirects them with
     * {@code CommandLine.setOut} on {@link #commandLine()}.
     */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Cosmic());
        CommandLine bench = new CommandLine(new BenchCommand());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            for (Object c : provider.commands()) {
                cli.addSubcommand(c);
            }
            for (Object b : provider.benchmarks()) {
                bench.addSubcommand(b);
            }
        }
        cli.addSubcommand(bench);
        cli.setExecutionExceptionHandler(Cosmic::onFailure);
        cli.setParameterExceptionHandler(Cosmic::onBadParameters);
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    private static int onBadParameters(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("cosmic: " + e.getMessage() + " (try '"
                + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCode.USAGE.code();
    }

    private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        CosmicException known = findCosmic(e);
        if (known != null) {
            LOG.debug("command failed", e);
            err.println("cosmic: " + known.getMessage());
            err.flush();
            return known.exitCode().code();
        }
        String storage = LakeLayout.storageFailure(lakeRoot(), e);
        if (storage != null) {
            LOG.debug("command failed on storage", e);
            err.println("cosmic: " + cmd.getCommandSpec().qualifiedName() + " failed: " + storage);
            err.flush();
            return ExitCode.STORAGE.code();
        }
        LOG.error("{} failed", cmd.getCommandSpec().qualifiedName(), e);
        err.println("cosmic: " + cmd.getCommandSpec().qualifiedName() + " failed: " + rootMessage(e)
                + " (stack trace above; re-running is safe: every table commits atomically)");
        err.flush();
        return ExitCode.JOB_FAILED.code();
    }

    private static String lakeRoot() {
        try {
            return SparkSession.getActiveSession().isDefined()
                    ? SparkSession.getActiveSession().get().conf().get("spark.cosmic.lake.root", "the lake")
                    : "the lake";
        } catch (RuntimeException e) {
            return "the lake";
        }
    }

    private static CosmicException findCosmic(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CosmicException c) {
                return c;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "" : t.getMessage().split("\n")[0];
        return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }

    /** {@code bench <name>}: each module adds its benchmarks as sub-commands. */
    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            description = "Benchmarks, each with its baseline in the same run; last stdout line: RESULT key=value ...")
    static final class BenchCommand implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "name a benchmark: " + String.join(", ", spec.subcommands().keySet()));
        }
    }
}
