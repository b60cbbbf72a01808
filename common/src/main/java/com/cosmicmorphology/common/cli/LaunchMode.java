package com.cosmicmorphology.common.cli;

import java.util.Properties;

/**
 * How the JVM running {@link Cosmic#main} was launched, as far as ending it goes. Under spark-submit in YARN
 * cluster mode the ApplicationMaster calls main on a thread of its own and reports the application as
 * succeeded when main returns; a {@code System.exit(0)} there ends the JVM before it unregisters, and YARN
 * records the run as failed. Everywhere else (./cosmic, client mode, standalone cluster mode's DriverWrapper,
 * a Kubernetes driver pod) the JVM's exit status is the result, so main exits with it.
 */
final class LaunchMode {
    private LaunchMode() {}

    /**
     * Whether a successful main should return instead of calling System.exit(0): only in YARN cluster mode,
     * which the ApplicationMaster announces with the system properties it sets from the submitted conf.
     */
    static boolean returnsOnSuccess(Properties systemProperties) {
        return "cluster".equals(systemProperties.getProperty("spark.submit.deployMode"))
                && systemProperties.getProperty("spark.master", "").startsWith("yarn");
    }
}
