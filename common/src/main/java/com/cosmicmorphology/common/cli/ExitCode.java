package com.cosmicmorphology.common.cli;

/** Exit statuses of every command (documented in README.md, "Commands"; Airflow retries only on JOB_FAILED/REMOTE). */
public enum ExitCode {
    OK(0),
    /** The job started and failed; the message says where. */
    JOB_FAILED(1),
    /** Bad option, bad configuration file or value: fix the invocation, do not retry. */
    USAGE(2),
    /** The lake (local path or s3a://) cannot be read or written. */
    STORAGE(3),
    /** A remote service (the NASA API, a Spark master) is unreachable or keeps failing. */
    REMOTE(4),
    /** A table the command needs does not exist yet: run the named command first. */
    MISSING_INPUT(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
