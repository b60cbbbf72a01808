"""Feature-recipe screen behind dev/screen-features (see there). Arguments: features.json (content_sha256, view,
features: every candidate layer side by side, in the order of LAYERS), meta.json (the included images with split
and group_id), LAYERS (the comma-separated feature-layers list the features were computed with), and optionally
a recipes file: one recipe per line, layers joined by '+', then the L2 strengths to try."""
import hashlib
import json
import re
import sys

import numpy as np

# MobileNetV2 (alpha 1.0) channels: block input and output; an expansion is 6x its block's input
BLOCK_IN = {1: 16, 2: 24, 3: 24, 4: 32, 5: 32, 6: 32, 7: 64, 8: 64, 9: 64, 10: 64}
BLOCK_OUT = {1: 24, 2: 24, 3: 32, 4: 32, 5: 32, 6: 64, 7: 64, 8: 64, 9: 64, 10: 96}
PIXEL_STATS = 21  # PixelFeatures.SIZE
FOLDS, SEED, VIEWS = 5, 42, 8

DEFAULT_RECIPES = """
block_10_project_BN:avg 0.0005 0.01
block_10_expand_relu:avg 0.0005 0.01
block_10_depthwise_relu:avg 0.01
block_10_project_BN:avg+block_10_project_BN:max 0.01
block_10_project_BN:grid 0.01
block_10_expand_relu:avg+block_10_expand_relu:max 0.01
block_10_expand_relu:grid 0.01 0.03
block_10_expand_relu:avg+block_9_expand_relu:avg+block_8_expand_relu:avg 0.01
block_10_expand_relu:avg+block_7_expand_relu:avg+block_6_expand_relu:avg 0.01
block_10_expand_relu:avg+block_6_expand_relu:avg+block_3_expand_relu:avg 0.01
block_10_project_BN:avg+pixels:stats 0.01
block_10_expand_relu:avg+pixels:stats 0.01
"""


def width(entry):
    if entry == "pixels:stats":
        return PIXEL_STATS
    layer, pool = entry.split(":")
    m = re.match(r"block_(\d+)_(expand_relu|depthwise_relu|project_BN|add)$", layer)
    if not m:
        raise SystemExit(f"screen: no channel count known for {layer}")
    block, kind = int(m.group(1)), m.group(2)
    c = BLOCK_OUT[block] if kind in ("project_BN", "add") else 6 * BLOCK_IN[block]
    return c * (4 if pool == "grid" else 1)


def folds(groups, labels):
    """GroupedFolds.assign: groups ordered by SHA-256(seed:group) within each label, dealt in turn."""
    label_of = {}
    for g, y in zip(groups, labels):
        label_of.setdefault(g, y)
    fold, dealt = {}, 0
    for y in sorted(set(label_of.values())):
        key = lambda g: (hashlib.sha256(f"{SEED}:{g}".encode()).hexdigest(), g)
        for g in sorted((g for g in label_of if label_of[g] == y), key=key):
            fold[g] = dealt % FOLDS
            dealt += 1
    return np.array([fold[g] for g in groups])


def fit_predict(xtr, ytr, xte, k, l2, iters=300, lr=0.01):
    """Softmax regression: standardised, class-weighted (balanced, capped at 10), L2, full-batch Adam."""
    n, v, d = xtr.shape
    a = xtr.reshape(n * v, d)
    yy = np.repeat(ytr, v)
    mu, sd = a.mean(0), a.std(0) + 1e-6
    a = (a - mu) / sd
    count = np.bincount(ytr, minlength=k)
    sw = np.where(count > 0, np.minimum(10, len(ytr) / (k * np.maximum(count, 1))), 1.0)[yy]
    w, b = np.zeros((d, k)), np.zeros(k)
    state = [[np.zeros_like(w), np.zeros_like(w)], [np.zeros_like(b), np.zeros_like(b)]]
    onehot = np.eye(k)[yy]
    for t in range(1, iters + 1):
        z = a @ w + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) * sw[:, None] / len(a)
        for param, grad, (m1, m2) in ((w, a.T @ g + l2 * w, state[0]), (b, g.sum(0), state[1])):
            m1 *= 0.9
            m1 += 0.1 * grad
            m2 *= 0.999
            m2 += 0.001 * grad * grad
            param -= lr * (m1 / (1 - 0.9 ** t)) / (np.sqrt(m2 / (1 - 0.999 ** t)) + 1e-8)
    nt = xte.shape[0]
    z = ((xte.reshape(nt * v, d) - mu) / sd) @ w + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return p.reshape(nt, v, k).mean(1)


def main():
    feature_file, meta_file, layers = sys.argv[1:4]
    entries = layers.split(",")
    segments, offset = {}, 0
    for e in entries:
        segments[e] = (offset, offset + width(e))
        offset += width(e)
    meta = [json.loads(line) for line in open(meta_file)]
    meta = [m for m in meta if m["split"] in ("train", "val")]
    feats = {}
    for line in open(feature_file):
        r = json.loads(line)
        feats.setdefault(r["content_sha256"], {})[r["view"]] = np.array(r["features"], dtype=np.float32)
    classes = sorted({m["label"] for m in meta})
    y = np.array([classes.index(m["label"]) for m in meta])
    x = np.stack([np.stack([feats[m["content_sha256"]][v] for v in range(VIEWS)]) for m in meta])
    if x.shape[2] != offset:
        raise SystemExit(f"screen: features have {x.shape[2]} values, the layers list makes {offset}")
    fold = folds([m["group_id"] for m in meta], y)
    tile = np.array(["tile of a mosaic" in (m.get("detail") or "") for m in meta])
    k = len(classes)
    recipes = open(sys.argv[4]).read() if len(sys.argv) > 4 else DEFAULT_RECIPES
    print(f"{len(meta)} images (train + val), {k} classes, {FOLDS} grouped folds; recall order: {' '.join(classes)}")
    for line in recipes.strip().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        recipe, *l2s = line.split()
        cols = np.concatenate([np.arange(*segments[e]) for e in recipe.split("+")])
        for l2 in [float(s) for s in l2s] or [0.01]:
            oof = np.zeros((len(y), k))
            for f in range(FOLDS):
                oof[fold == f] = fit_predict(x[fold != f][:, :, cols], y[fold != f], x[fold == f][:, :, cols], k, l2)
            pred = oof.argmax(1)
            f1, recall = [], []
            for c in range(k):
                tp = ((pred == c) & (y == c)).sum()
                p = tp / max(1, (pred == c).sum())
                r = tp / max(1, (y == c).sum())
                f1.append(2 * p * r / (p + r) if p + r else 0.0)
                recall.append(r)
            extra = f" non-tiles {np.mean(pred[~tile] == y[~tile]):.3f}" if tile.any() else ""
            print(f"{recipe:75s} d={len(cols):5d} l2={l2:<7g} acc={np.mean(pred == y):.3f} macro-F1={np.mean(f1):.3f}"
                  f"{extra} recall=" + " ".join(f"{r:.2f}" for r in recall), flush=True)


if __name__ == "__main__":
    main()
