package com.cosmicmorphology.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class HadoopConfIsolationTest {
    @Test
    void aConfigurationIsPutBackAsItWasChangedAddedAndRemovedKeysAlike() {
        Configuration c = new Configuration(false);
        c.set("fs.s3a.endpoint", "http://127.0.0.1:1");
        c.set("kept", "1");
        Map<String, String> before = HadoopConfIsolation.copy(c);

        c.set("fs.s3a.endpoint", "http://127.0.0.1:2"); // changed
        c.set("fs.s3a.secret.key", "leaked"); // added
        c.unset("kept"); // removed
        HadoopConfIsolation.restoreTo(c, before);

        assertThat(HadoopConfIsolation.copy(c)).isEqualTo(before);
        assertThat(c.get("fs.s3a.secret.key")).isNull();
    }

    @Test
    void theSharedSessionStartsEveryTestWithoutWhatAnEarlierTestSet() {
        // registered for every class through auto-detection: a key set in one test must not be seen in the next;
        // both orders are covered by checking, in each test, that the other's key is absent
        var h = SharedSpark.get().sparkContext().hadoopConfiguration();
        assertThat(h.get("cosmic.test.leak.b")).isNull();
        h.set("cosmic.test.leak.a", "set by one test");
    }

    @Test
    void theSharedSessionStartsEveryTestWithoutWhatAnEarlierTestSetTheOtherWay() {
        var h = SharedSpark.get().sparkContext().hadoopConfiguration();
        assertThat(h.get("cosmic.test.leak.a")).isNull();
        h.set("cosmic.test.leak.b", "set by another test");
    }
}
