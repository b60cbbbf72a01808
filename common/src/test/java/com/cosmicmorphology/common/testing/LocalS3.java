package com.cosmicmorphology.common.testing;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server on 127.0.0.1 (S3Proxy over a temporary folder) for tests, with SigV4
 * authentication; {@link #s3aSettings()} are the config keys that point S3A at it.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-key";

    private S3Proxy proxy;
    private final BlobStore store;
    private final OutageOnWrite served;
    private final BlobStoreContext context;
    private final int port;
    private final Path dir;

    public LocalS3(String... buckets) throws Exception {
        dir = Files.createTempDirectory("s3proxy");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem")
                .credentials("local", "local")
                .overrides(props)
                .buildView(BlobStoreContext.class);
        store = context.getBlobStore();
        served = new OutageOnWrite(store, () -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping S3Proxy failed", e);
            }
        });
        for (String b : buckets) {
            store.createContainerInLocation(null, b);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
    }

    private void start() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(served)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    /** Starts the server again after {@link #stop()} or an outage, on the same port over the same stored objects. */
    public void restart() throws Exception {
        served.recovered();
        start();
    }

    /**
     * A scripted outage: the server stops right after {@code bucket/key} is written (that write succeeds);
     * {@link #awaitOutage} then says it happened.
     */
    public void outageAfterWriting(String bucket, String key) {
        served.after(bucket, key);
    }

    /** Fails unless the scripted outage happened within {@code timeout}, with the stop's own error if it failed. */
    public void awaitOutage(java.time.Duration timeout) throws Exception {
        served.await(timeout);
    }

    /** Where the server keeps objects: {@code <dir>/<bucket>/<key>}. */
    public Path dir() {
        return dir;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Config keys for an s3a:// lake on this server (credentials given as Hadoop settings, tests only). */
    public Map<String, String> s3aSettings() {
        return Map.of(
                "s3.endpoint",
                endpoint(),
                "s3.path-style-access",
                "true",
                "s3.ssl-enabled",
                "false",
                "s3.credentials-provider",
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                "spark.conf.spark.hadoop.fs.s3a.access.key",
                ACCESS_KEY,
                "spark.conf.spark.hadoop.fs.s3a.secret.key",
                SECRET_KEY);
    }

    /** Applies the S3A settings to a running session (the session may predate this server). */
    public void configure(SparkSession spark) {
        var h = spark.sparkContext().hadoopConfiguration();
        h.set("fs.s3a.endpoint", endpoint());
        h.set("fs.s3a.path.style.access", "true");
        h.set("fs.s3a.connection.ssl.enabled", "false");
        h.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        h.set("fs.s3a.access.key", ACCESS_KEY);
        h.set("fs.s3a.secret.key", SECRET_KEY);
        h.set("fs.s3a.directory.marker.retention", "keep");
    }

    public void stop() throws Exception {
        proxy.stop();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
