#!/usr/bin/python3
"""Reference values of the per-frame 8-bit PSNR / SSIM protocol for packages/core/src/metrics-8bit.test.ts.

Run with Debian's python (numpy + scikit-image from apt):
    /usr/bin/python3 packages/core/scripts/frames8bit_reference.py
It writes packages/core/src/fixtures/frames8bit-reference.json. Frames are float32 (stored as base64
little-endian bytes), deliberately with values outside [0, 1] and exact rounding ties, so the
quantisation round(clip(x, 0, 1) * 255) (numpy rounds ties to even) is exercised. PSNR is computed here
with plain numpy on the 8-bit levels; SSIM with scikit-image on the uint8 frames, data_range=255.
"""
import base64
import json
import math
import os

import numpy as np
from skimage.metrics import structural_similarity

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'fixtures', 'frames8bit-reference.json')
rng = np.random.default_rng(8)


def levels(x):
    return np.round(np.clip(x.astype(np.float64), 0.0, 1.0) * 255.0).astype(np.uint8)


def frame_psnr(a8, b8):
    # As the paper's evaluation: frames scaled to [0, 1], an MSE below 1e-10 gives 100 dB.
    mse = np.mean((a8.astype(np.float64) / 255.0 - b8.astype(np.float64) / 255.0) ** 2)
    if mse < 1e-10:
        return 100.0
    return 20.0 * math.log10(1.0 / math.sqrt(mse))


def video_psnr(fa, fb):
    return float(np.mean([frame_psnr(levels(a), levels(b)) for a, b in zip(fa, fb)]))


def video_ssim(fa, fb):
    return float(np.mean([structural_similarity(levels(a), levels(b), gaussian_weights=True, sigma=1.5,
                                                use_sample_covariance=False, data_range=255, channel_axis=-1)
                          for a, b in zip(fa, fb)]))


def b64(x):
    return base64.b64encode(np.ascontiguousarray(x, dtype='<f4').tobytes()).decode('ascii')


def case(name, fa, fb):
    h, w, c = fa[0].shape
    return {'name': name, 'height': h, 'width': w, 'channels': c, 'framesA': [b64(f) for f in fa],
            'framesB': [b64(f) for f in fb], 'psnrFrames8bit': video_psnr(fa, fb), 'ssimFrames8bit': video_ssim(fa, fb)}


def smooth(h, w, c, phase):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    return np.stack([0.5 + 0.55 * np.sin(x / (3.0 + k) + y / 4.0 + phase) for k in range(c)], axis=-1).astype(np.float32)


cases = []
ref = [smooth(16, 20, 3, p) for p in (0.0, 0.4, 0.8)]
cases.append(case('noisy video with values outside [0, 1]', ref,
                  [(f + rng.normal(0, 0.03, f.shape)).astype(np.float32) for f in ref]))
ties = np.full((12, 12, 1), 0.5, dtype=np.float32)  # 127.5 -> 128 (ties to even)
ties_b = np.full((12, 12, 1), 1.5 / 255, dtype=np.float32)  # 1.5 -> 2
cases.append(case('rounding ties', [ties, ties_b], [(ties + np.float32(2 / 255)), (ties_b + np.float32(1 / 255))]))
same = smooth(12, 14, 1, 0.2)
cases.append(case('one frame identical among differing frames', [same, same],
                  [same.copy(), (same + rng.normal(0, 0.02, same.shape)).astype(np.float32)]))
cases.append(case('identical video', [same], [same.copy()]))

with open(OUT, 'w') as fh:
    json.dump({'generator': 'packages/core/scripts/frames8bit_reference.py', 'numpy': np.__version__, 'cases': cases}, fh)
print('wrote', OUT)
