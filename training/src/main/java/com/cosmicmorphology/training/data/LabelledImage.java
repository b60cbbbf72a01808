package com.cosmicmorphology.training.data;

/**
 * One curated image ready for a network: its split, label, near-duplicate group (cross-validation keeps a
 * group in one fold) and resized HWC RGB bytes. Images from outside the lake have no split or group.
 */
public record LabelledImage(
        String imageId, String label, String split, String groupId, String contentSha256, byte[] pixels) {}
