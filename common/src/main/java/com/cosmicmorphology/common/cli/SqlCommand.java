package com.cosmicmorphology.common.cli;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./cosmic sql "<query>"}: every lake table is a view of the same name; only rows go to stdout. */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = "Run Spark SQL over the lake; every table is registered as a view of its name.")
public final class SqlCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** How rows are printed: table for people, csv/json for scripts (nothing else on stdout). */
    public enum Format {
        table,
        csv,
        json
    }

    @Mixin
    JobOptions options = new JobOptions();

    @Parameters(
            index = "0",
            paramLabel = "<query>",
            description = "Spark SQL, e.g. \"SELECT label, count(*) FROM images GROUP BY label\"")
    String query;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(
            names = "--limit",
            defaultValue = "1000",
            description = "Rows shown in table format (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        JobContext ctx = JobContext.from(options, java.util.Map.of());
        SparkSession spark = ctx.spark();
        registerViews(ctx, spark);
        Dataset<Row> result;
        try {
            result = spark.sql(query);
        } catch (Exception e) { // AnalysisException is checked in Scala's eyes only
            if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
                throw new CosmicException(ExitCode.JOB_FAILED, "query failed: " + e.getMessage(), e);
            }
            throw new CosmicException(
                    ExitCode.USAGE,
                    "query failed: " + e.getMessage().split("\n")[0] + "; tables: "
                            + String.join(", ", ctx.lake().listTables(spark)));
        }
        print(result, format, limit, spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return ExitCode.OK.code();
    }

    /** Registers every Delta table under the lake root as a temporary view of the same name. */
    public static List<String> registerViews(JobContext ctx, SparkSession spark) {
        List<String> tables = ctx.lake().listTables(spark);
        for (String t : tables) {
            spark.read().format("delta").load(ctx.lake().location(t)).createOrReplaceTempView(t);
        }
        return tables;
    }

    static void print(Dataset<Row> result, Format format, int limit, PrintWriter out) {
        switch (format) {
            case table -> out.print(result.showString(limit, 0, false));
            case json -> result.toJSON().toLocalIterator().forEachRemaining(out::println);
            case csv -> {
                StringBuilder header = new StringBuilder();
                for (StructField f : result.schema().fields()) {
                    header.append(header.length() == 0 ? "" : ",").append(csv(f.name()));
                }
                out.println(header);
                Iterator<Row> it = result.toLocalIterator();
                while (it.hasNext()) {
                    Row r = it.next();
                    StringBuilder line = new StringBuilder();
                    for (int i = 0; i < r.size(); i++) {
                        line.append(i == 0 ? "" : ",").append(r.isNullAt(i) ? "" : csv(String.valueOf(r.get(i))));
                    }
                    out.println(line);
                }
            }
            default -> throw new IllegalStateException(format.name());
        }
    }

    /** RFC 4180 quoting. */
    static String csv(String v) {
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
