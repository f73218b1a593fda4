#!/usr/bin/python3
"""Reference PSNR / SSIM / MSE values for packages/core/src/metrics.test.ts.

Run with Debian's python (numpy + scikit-image from apt):
    /usr/bin/python3 packages/core/scripts/ssim_reference.py
It writes packages/core/src/fixtures/metrics-reference.json. The images are stored as
base64 uint8 (value v means v/255 as float32), so the test rebuilds exactly the float32
arrays the references were computed on. SSIM uses the settings of Wang et al. 2004 as
scikit-image documents them: gaussian_weights=True, sigma=1.5, use_sample_covariance=False.
"""
import base64
import json
import os
import sys

import numpy as np
import skimage
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'fixtures', 'metrics-reference.json')
rng = np.random.default_rng(20240611)


def quantise(x):
    """Clip to [0, 1] and round to a uint8 grid (what the fixture can store exactly)."""
    return np.clip(np.round(np.asarray(x) * 255.0), 0, 255).astype(np.uint8)


def as_float(u8):
    # float32 as the TypeScript side holds it, then float64 for the reference computation
    return (u8.astype(np.float32) / np.float32(255)).astype(np.float64)


def random_image(h, w, c):
    return quantise(rng.random((h, w, c)))


def smooth_image(h, w, c):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    chans = [0.5 + 0.4 * np.sin(x / (2.0 + k) + y / (3.0 + k)) * np.cos(y / (5.0 + k)) for k in range(c)]
    return quantise(np.stack(chans, axis=-1))


def noisy(u8, sigma):
    return quantise(u8.astype(np.float64) / 255.0 + rng.normal(0.0, sigma, u8.shape))


def shifted(u8, dy, dx):
    return np.roll(u8, shift=(dy, dx), axis=(0, 1))


def b64(u8):
    return base64.b64encode(np.ascontiguousarray(u8).tobytes()).decode('ascii')


def ssim_ref(a, b, data_range):
    return float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=data_range, channel_axis=-1))


def image_case(name, a8, b8, data_range=1.0):
    a, b = as_float(a8), as_float(b8)
    case = {'name': name, 'height': a8.shape[0], 'width': a8.shape[1], 'channels': a8.shape[2],
            'dataRange': data_range, 'a': b64(a8), 'b': b64(b8),
            'mse': float(mean_squared_error(a, b))}
    psnr = float(peak_signal_noise_ratio(a, b, data_range=data_range)) if case['mse'] > 0 else None
    case['psnr'] = psnr  # null = identical images (infinite PSNR)
    try:
        case['ssim'] = ssim_ref(a, b, data_range)
    except ValueError as err:
        case['ssim'] = None
        case['ssimError'] = str(err).split('.')[0]
    return case


def video_case(name, frames_a, frames_b):
    fa = [as_float(f) for f in frames_a]
    fb = [as_float(f) for f in frames_b]
    h, w, c = frames_a[0].shape
    return {
        'name': name, 'height': h, 'width': w, 'channels': c, 'dataRange': 1.0,
        'framesA': [b64(f) for f in frames_a], 'framesB': [b64(f) for f in frames_b],
        # video SSIM = mean of per-frame SSIM; video PSNR/MSE pool every pixel of every frame
        'ssim': float(np.mean([ssim_ref(x, y, 1.0) for x, y in zip(fa, fb)])),
        'mse': float(mean_squared_error(np.stack(fa), np.stack(fb))),
        'psnr': float(peak_signal_noise_ratio(np.stack(fa), np.stack(fb), data_range=1.0)),
    }


def main():
    cases = []
    r16 = random_image(16, 16, 3)
    cases.append(image_case('random vs independent random, 16x16x3', r16, random_image(16, 16, 3)))
    cases.append(image_case('random vs slightly noisy copy, 16x16x3', r16, noisy(r16, 0.02)))
    s32 = smooth_image(32, 32, 3)
    cases.append(image_case('smooth vs noisy copy, 32x32x3', s32, noisy(s32, 0.05)))
    cases.append(image_case('smooth vs shifted by one pixel, 32x32x3', s32, shifted(s32, 1, 1)))
    cases.append(image_case('smooth vs itself, 32x32x3', s32, s32.copy()))
    cases.append(image_case('smooth vs heavy noise, data range 2, 32x32x3', s32, noisy(s32, 0.3), data_range=2.0))
    s_edge = smooth_image(11, 13, 1)
    cases.append(image_case('smallest accepted size (11x13x1, the 11-tap window)', s_edge, noisy(s_edge, 0.05)))
    const_a = np.full((16, 16, 1), 128, np.uint8)
    cases.append(image_case('constant vs constant plus one level, 16x16x1', const_a, const_a + 1))
    s_small = smooth_image(7, 9, 1)
    cases.append(image_case('too small for the window (7x9x1)', s_small, noisy(s_small, 0.05)))
    frames_a = [smooth_image(16, 16, 3) for _ in range(3)]
    frames_a = [shifted(f, k, 0) for k, f in enumerate(frames_a)]
    frames_b = [noisy(f, 0.03 * (k + 1)) for k, f in enumerate(frames_a)]
    video = video_case('three frames of 16x16x3 with growing noise', frames_a, frames_b)
    doc = {
        'generator': 'packages/core/scripts/ssim_reference.py',
        'versions': {'python': sys.version.split()[0], 'numpy': np.__version__, 'scikit-image': skimage.__version__},
        'ssimSettings': 'gaussian_weights=True, sigma=1.5, use_sample_covariance=False, channel_axis=-1',
        'images': cases,
        'video': video,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
