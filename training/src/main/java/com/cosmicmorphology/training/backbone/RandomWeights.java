package com.cosmicmorphology.training.backbone;

import com.cosmicmorphology.common.cli.CosmicException;
import com.cosmicmorphology.common.cli.ExitCode;

/** The rule for backbones that have no pretrained weights here: random ones only when the user allows them. */
final class RandomWeights {
    private RandomWeights() {}

    /** @param why why no weights can be had for it, for the message */
    static void require(String backbone, boolean allowRandom, String why) {
        if (!allowRandom) {
            throw new CosmicException(
                    ExitCode.USAGE,
                    backbone + " has no pretrained weights here (none can be downloaded, and " + why + "); set"
                            + " training.allow-random-weights=true to start from random weights, or use"
                            + " training.backbone=keras-h5 for the pretrained offline backbone");
        }
    }
}
