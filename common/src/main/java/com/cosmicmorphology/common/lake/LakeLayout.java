package com.cosmicmorphology.common.lake;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The one place that knows where tables live: every table is a Delta table at {@code <root>/<name>}, the
 * root being a local path or any Hadoop URI ({@code s3a://bucket/prefix}).
 */
public final class LakeLayout {
    /** Contract names plus the free prefixes (eda_, curated_, features_) the architecture allows. */
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    /** Files of a committed version (NNNN.json, NNNN.checkpoint..., NNNN.crc), never a hidden .NNNN...tmp. */
    private static final Pattern COMMIT_OR_CHECKPOINT = Pattern.compile("\\d{20}\\..*|_last_checkpoint");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LakeLayout.class);

    private final String root;

    public LakeLayout(String root) {
        // a relative local root (./lake) is resolved once, here: Delta's table builder rejects relative locations,
        // and executors on other machines would resolve it against their own working directories
        this.root = root.contains("://") || root.startsWith("file:")
                ? stripTrailingSlash(root)
                : java.nio.file.Path.of(root).toAbsolutePath().normalize().toString();
    }

    public String root() {
        return root;
    }

    public String location(LakeTable table) {
        return root + "/" + table.tableName();
    }

    /** Location of any table, contract or not (eda_*, features_*...). */
    public String location(String tableName) {
        if (!TABLE_NAME.matcher(tableName).matches()) {
            throw new IllegalArgumentException("table name '" + tableName + "' must match " + TABLE_NAME);
        }
        return root + "/" + tableName;
    }

    public boolean exists(SparkSession spark, LakeTable table) {
        return DeltaTable.isDeltaTable(spark, location(table));
    }

    /** Whether any table (eda_*, curated_*...) exists under the root. */
    public boolean exists(SparkSession spark, String tableName) {
        return DeltaTable.isDeltaTable(spark, location(tableName));
    }

    /** Reads a table, or fails with one line naming the command that creates it. */
    public Dataset<Row> read(SparkSession spark, LakeTable table) {
        if (!exists(spark, table)) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "table '" + table.tableName() + "' does not exist at " + location(table) + "; run './cosmic "
                            + table.producedBy() + "' first");
        }
        Dataset<Row> df = spark.read().format("delta").load(location(table));
        java.util.Set<String> present = java.util.Set.of(df.columns());
        List<String> missing = java.util.Arrays.stream(table.schema().fieldNames())
                .filter(c -> !present.contains(c))
                .toList();
        if (!missing.isEmpty()) {
            throw new CosmicException(
                    ExitCode.MISSING_INPUT,
                    "table '" + table.tableName() + "' at " + location(table)
                            + " lacks column(s) " + missing + " (written by another version?); run './cosmic "
                            + table.producedBy()
                            + "' again to rewrite it");
        }
        return df;
    }

    /** Reads a table when it exists; empty otherwise (for optional inputs such as a first run's own output). */
    public java.util.Optional<Dataset<Row>> readIfExists(SparkSession spark, LakeTable table) {
        return exists(spark, table) ? java.util.Optional.of(read(spark, table)) : java.util.Optional.empty();
    }

    /** Creates the table empty, with its contract schema, if absent; true when it was created now. */
    public boolean create(SparkSession spark, LakeTable table) {
        return create(spark, table.tableName(), table.schema());
    }

    /**
     * Creates any table (contract or features_*, metrics...) empty with this schema and partitioning if absent;
     * true when it was created now. Every table creation goes through here, so all recover from a killed one.
     */
    public boolean create(SparkSession spark, String tableName, StructType schema, String... partitionColumns) {
        if (exists(spark, tableName)) {
            return false;
        }
        clearInterruptedCreation(spark, tableName);
        DeltaTable.createIfNotExists(spark)
                .location(location(tableName))
                .addColumns(schema)
                .partitionedBy(partitionColumns)
                .execute();
        return true;
    }

    /**
     * A run killed while it created a table can leave a {@code _delta_log} folder with no commit in it (the
     * folder is made before version 0 is renamed into place). Delta's {@code CREATE TABLE IF NOT EXISTS} then
     * takes the table for existing, creates nothing, and fails to load it, so every re-run would fail the same
     * way. A log without a single commit or checkpoint holds nothing to lose: it is removed. A log that does
     * hold commits is left for Delta to judge.
     */
    private void clearInterruptedCreation(SparkSession spark, String tableName) {
        Path log = new Path(location(tableName), "_delta_log");
        try {
            FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(log)) {
                return;
            }
            var files = fs.listFiles(log, true);
            while (files.hasNext()) {
                String name = files.next().getPath().getName();
                if (COMMIT_OR_CHECKPOINT.matcher(name).matches()) {
                    return;
                }
            }
            LOG.warn(
                    "table '{}' at {}: removing the log folder of an interrupted creation (it holds no commit)",
                    tableName,
                    location(tableName));
            fs.delete(log, true);
        } catch (IOException e) {
            throw new CosmicException(
                    ExitCode.STORAGE, "cannot inspect " + log + " before creating the table: " + e.getMessage(), e);
        }
    }

    /** The table for MERGE/DELETE, created empty first if absent, so writers always find it. */
    public DeltaTable delta(SparkSession spark, LakeTable table) {
        create(spark, table);
        return DeltaTable.forPath(spark, location(table));
    }

    /** The table's latest Delta version (what a model records it was trained on). */
    public long version(SparkSession spark, String tableName) {
        return DeltaTable.forPath(spark, location(tableName)).history(1).first().getAs("version");
    }

    /** Names of the Delta tables present under the root (folders holding a _delta_log), sorted. */
    public List<String> listTables(SparkSession spark) {
        List<String> names = new ArrayList<>();
        try {
            Path rootPath = new Path(root);
            FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(rootPath)) {
                return names;
            }
            for (FileStatus st : fs.listStatus(rootPath)) {
                if (st.isDirectory() && fs.exists(new Path(st.getPath(), "_delta_log"))) {
                    names.add(st.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw new CosmicException(ExitCode.STORAGE, "cannot list lake root " + root + ": " + e.getMessage(), e);
        }
        names.sort(String::compareTo);
        return names;
    }

    /**
     * Proves the root is writable before a job writes anything (so a bad path fails in one line, not halfway
     * through a table): creates the root and writes then deletes a probe file.
     */
    public void checkWritable(SparkSession spark) {
        checkWritable(spark.sparkContext().hadoopConfiguration());
    }

    /** {@link #checkWritable(SparkSession)} with a Hadoop configuration (no session needed). */
    public void checkWritable(org.apache.hadoop.conf.Configuration hadoop) {
        Path rootPath = new Path(root);
        try {
            FileSystem fs = rootPath.getFileSystem(hadoop);
            fs.mkdirs(rootPath);
            // a name of its own per call: two runs starting together must not delete each other's probe
            Path probe = new Path(rootPath, "._cosmic_write_probe_" + java.util.UUID.randomUUID());
            fs.create(probe, true).close();
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new CosmicException(
                    ExitCode.STORAGE,
                    "lake root " + root + " is not writable (" + oneLine(e)
                            + "); set --lake or lake.root to a writable path or s3a:// URI and check credentials",
                    e);
        }
    }

    /**
     * For remote lakes (s3a://, ...): one request to the root, so missing or wrong credentials and an unreachable
     * endpoint fail every command in one line before any job starts, instead of surfacing as "table does not
     * exist" or halfway through a write. Local roots are not probed.
     */
    public void checkReachable(SparkSession spark) {
        if (!root.contains("://") || root.startsWith("file:")) {
            return;
        }
        Path rootPath = new Path(root);
        try {
            FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.exists(rootPath);
        } catch (IOException | RuntimeException e) {
            throw new CosmicException(ExitCode.STORAGE, storageProblem(root, e), e);
        }
    }

    /**
     * For a failed job: one line naming the lake when the failure came from the way to it (S3A / AWS SDK errors,
     * refused connections, access denied), else null. Class names and messages both count: a failed Spark task
     * reaches the driver as text inside a SparkException.
     */
    public static String storageFailure(String root, Throwable e) {
        String c = chain(e);
        if (c.contains("org.apache.hadoop.fs.s3a.")
                || c.contains("com.amazonaws.")
                || c.contains("java.net.ConnectException")
                || c.contains("java.nio.file.AccessDeniedException")) {
            return storageProblem(root, e);
        }
        return null;
    }

    /** One line for a failed storage call: refused credentials, an unreachable endpoint, or the error itself. */
    public static String storageProblem(String root, Throwable e) {
        String detail = oneLine(e);
        String lower = chain(e).toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("accessdenied")
                || lower.contains("403")
                || lower.contains("signaturedoesnotmatch")
                || lower.contains("invalidaccesskeyid")
                || lower.contains("no aws credentials")) {
            return "the object store refused the credentials for " + root + " (" + detail
                    + "); set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY (or a profile / instance role, see s3.credentials-provider) for this bucket";
        }
        if (lower.contains("connectexception")
                || lower.contains("connection refused")
                || lower.contains("unknownhost")
                || lower.contains("unable to execute http request")
                || lower.contains("sockettimeout")) {
            return "the lake " + root + " is unreachable (" + detail
                    + "); check s3.endpoint and the network, then re-run: "
                    + "Delta commits a table whole or not at all, so nothing partial was written";
        }
        return "cannot use the lake " + root + " (" + detail + ")";
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            b.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return b.toString();
    }

    private static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = msg.indexOf('\n');
        return nl > 0 ? msg.substring(0, nl) : msg;
    }

    private static String stripTrailingSlash(String s) {
        String r = s;
        while (r.length() > 1 && r.endsWith("/") && !r.endsWith("://")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
