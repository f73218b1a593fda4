"""Expected values of the TeaCache paper's quality protocol (per-frame PSNR and SSIM of 8-bit frames, averaged)
on REAL samples (uncached and TeaCache-cached outputs of built-in models, written by
packages/trace/scripts/dump-sample-pair.ts), for packages/core/src/metrics-8bit-samples.test.ts, computed with numpy
and scikit-image independently of the toolkit.
Run with Debian's python: /usr/bin/python3 packages/core/scripts/frames8bit_samples_reference.py"""
import json
from pathlib import Path

import numpy as np
from skimage.metrics import structural_similarity

HERE = Path(__file__).resolve().parent.parent / "src" / "fixtures" / "frames8bit-samples"


def to8bit(video):
    # clip, scale in double precision, round half to even (numpy's round), as 8-bit pixels
    return np.round(np.clip(video.astype(np.float64), 0.0, 1.0) * 255.0)


def paper_psnr(a, b):
    """Mean over frames of the per-frame PSNR of the frames scaled to [0, 1], as the paper's evaluation code computes
    it (an MSE below 1e-10, an identical frame, gives 100 dB)."""
    x, y = to8bit(a) / 255.0, to8bit(b) / 255.0
    values = []
    for f in range(x.shape[0]):
        mse = np.mean((x[f] - y[f]) ** 2)
        values.append(100.0 if mse < 1e-10 else 20 * np.log10(1 / np.sqrt(mse)))
    return float(np.mean(values))


def paper_ssim(a, b):
    x, y = to8bit(a), to8bit(b)
    return float(np.mean([
        structural_similarity(x[f], y[f], gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                              data_range=255, channel_axis=-1)
        for f in range(x.shape[0])
    ]))


def main():
    cases = []
    for meta_file in sorted(HERE.glob("*-pair.json")):
        meta = json.loads(meta_file.read_text())
        shape = (meta["frames"], meta["height"], meta["width"], meta["channels"])
        name = meta["model"]
        a = np.fromfile(HERE / f"{name}-cached.f32", dtype="<f4").reshape(shape)
        b = np.fromfile(HERE / f"{name}-uncached.f32", dtype="<f4").reshape(shape)
        cases.append({"name": f"{name} sample (real)", "files": [f"{name}-cached.f32", f"{name}-uncached.f32"],
                      "shape": list(shape), "psnr": paper_psnr(a, b), "ssim": paper_ssim(a, b),
                      "pooledFloatPsnr": float(10 * np.log10(1.0 / np.mean((a.astype(np.float64) - b) ** 2)))})
    # synthetic: values outside [0, 1], exact halves, and one frame identical to its reference
    rng = np.random.default_rng(18)
    a = rng.uniform(-0.2, 1.2, size=(3, 12, 13, 3))
    b = np.clip(a + rng.normal(0, 0.03, size=a.shape), -0.1, 1.1)
    b[1] = a[1]
    a[0, 0, 0, 0] = 2.5 / 255
    b[0, 0, 0, 0] = 3.5 / 255
    cases.append({"name": "synthetic, clipped, one identical frame", "a": a.ravel().tolist(), "b": b.ravel().tolist(),
                  "shape": list(a.shape), "psnr": paper_psnr(a, b), "ssim": paper_ssim(a, b)})
    out = HERE / "expected.json"
    out.write_text(json.dumps({"generator": "packages/core/scripts/frames8bit_samples_reference.py", "cases": cases}) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
