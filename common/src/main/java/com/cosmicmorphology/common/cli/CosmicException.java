package com.cosmicmorphology.common.cli;

/**
 * A failure the user can act on: the launcher prints its message as one line on stderr and exits with
 * {@link #exitCode()}. Messages name the record, setting or path at fault and what to do about it.
 */
public class CosmicException extends RuntimeException {
    private final ExitCode exitCode;

    public CosmicException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CosmicException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
