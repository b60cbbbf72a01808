package com.cosmicmorphology.training.data;

/** One curated image ready for a network: its split, label and resized HWC RGB bytes. */
public record LabelledImage(String imageId, String label, String split, String contentSha256, byte[] pixels) {}
