package com.cosmicmorphology.ingest;

import com.cosmicmorphology.common.cli.CommandProvider;
import com.cosmicmorphology.common.cli.ConfigOverrides;
import com.cosmicmorphology.common.cli.ExitCode;
import com.cosmicmorphology.common.cli.JobContext;
import com.cosmicmorphology.common.cli.JobOptions;
import com.cosmicmorphology.common.lake.LakeWriterLock;
import com.cosmicmorphology.ingest.folder.FolderIngestJob;
import com.cosmicmorphology.ingest.nasa.NasaIngestJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Ingest's commands ({@code ingest nasa|folder}), registered with ./cosmic through META-INF/services.
 * {@code bench ingest} lives in the testkit module with the replay server it serves synthetic items from.
 */
public final class IngestCommands implements CommandProvider {
    @Override
    public List<Object> commands() {
        return List.of(new Ingest());
    }

    /** {@code ./cosmic ingest nasa|folder}. */
    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            description = "Land images and metadata in the lake (images, nasa_items, quarantine).",
            subcommands = {Ingest.Nasa.class, Ingest.Folder.class})
    public static final class Ingest implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a source: nasa or folder");
        }

        @Command(
                name = "nasa",
                mixinStandardHelpOptions = true,
                description = "NASA Image and Video Library search results into nasa_items, images and quarantine.")
        static final class Nasa implements Callable<Integer> {
            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Mixin
            JobOptions options = new JobOptions();

            @Option(
                    names = "--query",
                    paramLabel = "<term>",
                    description = "Search term (repeatable); default: nasa.queries from the configuration.")
            List<String> queries = new ArrayList<>();

            @Option(
                    names = "--max-pages",
                    paramLabel = "N",
                    description = "Pages per query at most (nasa.max-pages; 0 = all).")
            Integer maxPages;

            @Option(
                    names = "--max-images",
                    paramLabel = "N",
                    defaultValue = "0",
                    description = "Attempt at most N new downloads this run; the rest come on the next run (0 = all).")
            long maxImages;

            @Option(names = "--api-url", paramLabel = "URL", description = "API base URL (nasa.api-url).")
            String apiUrl;

            @Override
            public Integer call() throws Exception {
                ConfigOverrides extra = new ConfigOverrides();
                extra.set("nasa.api-url", apiUrl);
                extra.set("nasa.max-pages", maxPages);
                JobContext ctx = JobContext.from(options, extra.asMap());
                List<String> q = queries.isEmpty() ? ctx.config().nasa().queries() : queries;
                NasaIngestJob.Result r;
                // ingest plans its new images from what the tables hold: a second run at once would land them twice
                try (LakeWriterLock lock = LakeWriterLock.acquire(ctx.spark(), ctx.lake(), "ingest nasa")) {
                    r = new NasaIngestJob(ctx).run(q, ctx.config().nasa().maxPages(), maxImages);
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                "ingest nasa: %d pages, %d items, %d new images, %d quarantined, %d relabelled, "
                                        + "%.1f MB in %.0f s into %s%n",
                                r.pages(),
                                r.items(),
                                r.imagesAdded(),
                                r.quarantined(),
                                r.relabelled(),
                                r.bytes() / 1e6,
                                r.seconds(),
                                ctx.lake().root());
                return ExitCode.OK.code();
            }
        }

        @Command(
                name = "folder",
                mixinStandardHelpOptions = true,
                description = "A labelled folder (one sub-folder per class) into images and quarantine.")
        static final class Folder implements Callable<Integer> {
            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Mixin
            JobOptions options = new JobOptions();

            @Option(
                    names = "--path",
                    required = true,
                    paramLabel = "<dir>",
                    description = "Folder holding one sub-folder per class.")
            Path path;

            @Override
            public Integer call() {
                JobContext ctx = JobContext.from(options, Map.of());
                FolderIngestJob.Result r;
                try (LakeWriterLock lock = LakeWriterLock.acquire(ctx.spark(), ctx.lake(), "ingest folder")) {
                    r = new FolderIngestJob(ctx).run(path);
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                "ingest folder: %d files, %d new images, %d already present, %d quarantined into %s%n",
                                r.files(),
                                r.imagesAdded(),
                                r.alreadyPresent(),
                                r.quarantined(),
                                ctx.lake().root());
                return ExitCode.OK.code();
            }
        }
    }
}
