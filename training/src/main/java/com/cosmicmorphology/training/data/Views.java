package com.cosmicmorphology.training.data;

/**
 * The dihedral views of a square HWC RGB image: rotations by 0/90/180/270 degrees, then the same mirrored.
 * Sky images have no canonical orientation, so each view is as real as the original: more training examples
 * for the head, and averaging over views at test time. View 0 is the image itself.
 */
public final class Views {
    private Views() {}

    public static byte[] view(byte[] hwc, int size, int view) {
        if (view == 0) {
            return hwc;
        }
        int rot = view % 4;
        boolean flip = view >= 4;
        byte[] out = new byte[hwc.length];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int sx = flip ? size - 1 - x : x;
                int sy = y;
                int tx;
                int ty;
                switch (rot) {
                    case 1 -> {
                        tx = size - 1 - sy;
                        ty = sx;
                    }
                    case 2 -> {
                        tx = size - 1 - sx;
                        ty = size - 1 - sy;
                    }
                    case 3 -> {
                        tx = sy;
                        ty = size - 1 - sx;
                    }
                    default -> {
                        tx = sx;
                        ty = sy;
                    }
                }
                System.arraycopy(hwc, (y * size + x) * 3, out, (ty * size + tx) * 3, 3);
            }
        }
        return out;
    }
}
