import { FormatError } from './errors.js';
import { ssim, type ImageShape } from './metrics.js';
import { mean } from './sample-stats.js';
import type { NumericArray } from './rel-l1.js';

/**
 * One value of [0, 1] as an 8-bit level: round(clip(x, 0, 1) · 255), ties to even as numpy and torch
 * round, the way a decoded sample is saved as PNG or video.
 */
export function to8bit(x: number): number {
  const v = Math.min(1, Math.max(0, x)) * 255;
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/** A frame of values in [0, 1] as 8-bit levels (0..255). NaN is refused: it has no level. */
export function frameTo8bit(frame: NumericArray, field = 'frame'): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    if (Number.isNaN(frame[i])) throw new FormatError({ field }, 'numbers (no NaN)', `NaN at value ${i}`);
    out[i] = to8bit(frame[i]);
  }
  return out;
}

function checkVideo(a: readonly NumericArray[], b: readonly NumericArray[]): void {
  if (a.length === 0) throw new FormatError({ field: 'frames a' }, 'at least one frame', 'none');
  if (a.length !== b.length) throw new FormatError({ field: 'frames b' }, `${a.length} frames (as many as a)`, b.length);
  a.forEach((f, i) => {
    if (f.length !== b[i].length) throw new FormatError({ field: `frame ${i}` }, `${f.length} values in both frames`, b[i].length);
  });
}

/**
 * PSNR (dB) the paper's evaluation gives a frame whose MSE on [0, 1] values is below 1e-10, an identical frame
 * among them (ali-vilab/TeaCache, eval/teacache/common_metrics/calculate_psnr.py at 7c10efc).
 */
export const PAPER_IDENTICAL_FRAME_PSNR = 100;

/**
 * PSNR of one pair of 8-bit frames in dB, 10·log10(255² / MSE), as the paper's evaluation computes it on the
 * frames scaled to [0, 1]: an MSE below 1e-10 there (identical frames) gives 100 dB.
 */
export function psnr8bit(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; sum += d * d; }
  const mseUnit = sum / a.length / (255 * 255);
  return mseUnit < 1e-10 ? PAPER_IDENTICAL_FRAME_PSNR : 10 * Math.log10(1 / mseUnit);
}

/**
 * The TeaCache paper's PSNR protocol: frames saved as 8 bits, PSNR per frame, averaged over frames (dB).
 * Identical frames count as 100 dB as in the paper's evaluation code, so a run identical to its reference
 * has 100 dB, never Infinity.
 */
export function psnrFrames8bit(a: readonly NumericArray[], b: readonly NumericArray[]): number {
  checkVideo(a, b);
  const perFrame = a.map((f, i) => psnr8bit(frameTo8bit(f, `frame ${i} of a`), frameTo8bit(b[i], `frame ${i} of b`)));
  return mean(perFrame);
}

/**
 * The paper's SSIM protocol: frames saved as 8 bits, SSIM per frame (scikit-image's Gaussian SSIM on the
 * levels with data range 255, channels averaged), averaged over frames.
 */
export function ssimFrames8bit(a: readonly NumericArray[], b: readonly NumericArray[], shape: ImageShape): number {
  checkVideo(a, b);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    total += ssim(Float64Array.from(frameTo8bit(a[i], `frame ${i} of a`)), Float64Array.from(frameTo8bit(b[i], `frame ${i} of b`)), { ...shape, dataRange: 255 });
  }
  return total / a.length;
}
