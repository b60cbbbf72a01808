package com.cosmicmorphology.common.testing;

import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test JVM shares one SparkSession, and so one Hadoop configuration: S3A endpoints and credentials a
 * test applies (a command's {@code spark.hadoop.*} settings are written into the live configuration when the
 * session already runs) would otherwise hold in every later test. This extension, registered for every test
 * class (JUnit's extension auto-detection, switched on in the parent pom), restores the configuration after
 * each test to what it was when the test started (so a class's {@code @BeforeAll} setup stays), and after each
 * class to what it was before the class.
 */
public final class HadoopConfIsolation
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(HadoopConfIsolation.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        snapshot(context, "class");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        restore(context, "class");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        snapshot(context, "test");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        restore(context, "test");
    }

    private static void snapshot(ExtensionContext context, String key) {
        Configuration live = live();
        context.getStore(NS).put(key, live == null ? null : copy(live));
    }

    private static void restore(ExtensionContext context, String key) {
        Configuration live = live();
        @SuppressWarnings("unchecked")
        Map<String, String> before = (Map<String, String>) context.getStore(NS).remove(key, Map.class);
        if (live == null) {
            return;
        }
        if (before == null) {
            before = SharedSpark.pristineHadoopConf(); // the session started during this test or class
            if (before == null) {
                return;
            }
        }
        restoreTo(live, before);
    }

    /** The shared session's live Hadoop configuration, or null when no session runs. */
    private static Configuration live() {
        return SparkSession.getDefaultSession().isDefined()
                ? SparkSession.getDefaultSession().get().sparkContext().hadoopConfiguration()
                : null;
    }

    static Map<String, String> copy(Configuration c) {
        Map<String, String> m = new HashMap<>();
        for (Map.Entry<String, String> e : c) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    static void restoreTo(Configuration live, Map<String, String> before) {
        for (Map.Entry<String, String> e : copy(live).entrySet()) {
            if (!before.containsKey(e.getKey())) {
                live.unset(e.getKey());
            } else if (!before.get(e.getKey()).equals(e.getValue())) {
                live.set(e.getKey(), before.get(e.getKey()));
            }
        }
        before.forEach((k, v) -> {
            if (live.getRaw(k) == null) {
                live.set(k, v);
            }
        });
    }
}
