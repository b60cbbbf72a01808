package com.cosmicmorphology.common.config;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;

/** A configuration file, environment variable or option that cannot be used; names the key. */
public final class ConfigException extends CosmicException {
    public ConfigException(String message) {
        super(ExitCode.USAGE, message);
    }

    public ConfigException(String message, Throwable cause) {
        super(ExitCode.USAGE, message, cause);
    }
}
