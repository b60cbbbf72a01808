package com.cosmicmorphology.common.image;

/**
 * The name of the drawing that made a synthetic variant ({@code features_synthetic.recipe}): what processing
 * writes and training asks for, in one place. The version is bumped whenever the drawing changes, so variants
 * (and feature vectors cached for them) of an older drawing are never taken for the current one.
 */
public final class SyntheticRecipe {
    public static final String VERSION = "v1";

    private SyntheticRecipe() {}

    public static String of(long seed) {
        return VERSION + "/seed=" + seed;
    }
}
