import { FormatError } from './errors.js';
import { ssim, type ImageShape } from './metrics.js';
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
 * PSNR of one pair of 8-bit frames in dB, 10·log10(255² / MSE); identical frames give Infinity.
 */
export function psnr8bit(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; sum += d * d; }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum);
}

/**
 * The TeaCache paper's PSNR protocol: frames saved as 8 bits, PSNR per frame, averaged over frames (dB).
 * Infinity when every frame is identical. A frame identical to its reference among frames that differ
 * counts as the highest finite 8-bit PSNR of its size, 10·log10(255² · values), one level off in one
 * value: an infinite term would make the whole mean infinite.
 */
export function psnrFrames8bit(a: readonly NumericArray[], b: readonly NumericArray[]): number {
  checkVideo(a, b);
  const perFrame = a.map((f, i) => psnr8bit(frameTo8bit(f, `frame ${i} of a`), frameTo8bit(b[i], `frame ${i} of b`)));
  if (perFrame.every((p) => p === Infinity)) return Infinity;
  const finite = perFrame.map((p, i) => (p === Infinity ? 10 * Math.log10(255 * 255 * a[i].length) : p));
  return finite.reduce((s, p) => s + p, 0) / finite.length;
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
