package com.cosmicmorphology.ingest.image;

/** An image that decoded completely: what the images table records about it. */
public record InspectedImage(String format, int width, int height, String sha256) {}
