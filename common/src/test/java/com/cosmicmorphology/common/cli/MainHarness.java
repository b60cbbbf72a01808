package com.cosmicmorphology.common.cli;

import java.util.Arrays;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the launcher in a JVM of its own (a test JVM's SparkSession is shared and must stay up).
 * {@code execute <lake> <sql>...}: {@link Cosmic#execute} on each query, printing its exit status and whether
 * a SparkSession was left behind; {@code main <args>}: {@link Cosmic#main}, then "main returned" if it did.
 */
public final class MainHarness {
    private MainHarness() {}

    public static void main(String[] args) {
        if (args[0].equals("main")) {
            Cosmic.main(Arrays.copyOfRange(args, 1, args.length));
            System.out.println("main returned");
            return;
        }
        String lake = args[1];
        for (String query : Arrays.copyOfRange(args, 2, args.length)) {
            int code = Cosmic.execute("sql", query, "--lake", lake, "--master", "local[1]");
            boolean left = SparkSession.getDefaultSession().isDefined()
                    || SparkSession.getActiveSession().isDefined();
            System.out.println("query=" + query + " code=" + code + " session-left=" + left);
        }
    }
}
