import { FormatError } from './errors.js';
import { ssim, type ImageShape } from './metrics.js';
import type { NumericArray } from './rel-l1.js';

/**
 * PSNR (dB) the TeaCache evaluation code gives a frame identical to its reference (its calculate_psnr.py
 * returns 100 when the MSE is below 1e-10), so one identical frame does not make a video's mean infinite.
 */
export const IDENTICAL_FRAME_PSNR = 100;

/** Round half to even, as numpy's and torch's round do (x.5 goes to the even neighbour). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A frame as 8-bit pixel values: round(clip(x, 0, 1) · 255) in double precision, halves to even (numpy's
 * round), as a video file stores it.
 */
export function toFrame8bit(frame: NumericArray): Float64Array {
  const out = new Float64Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i];
    if (Number.isNaN(v)) throw new FormatError({ field: `frame[${i}]` }, 'a number (pixel values in [0, 1])', v);
    out[i] = roundHalfEven(Math.min(1, Math.max(0, v)) * 255);
  }
  return out;
}

function checkVideos(a: readonly NumericArray[], b: readonly NumericArray[]): void {
  if (a.length !== b.length) throw new FormatError({ field: 'frames b' }, `${a.length} frames (as many as a)`, b.length);
  if (a.length === 0) throw new FormatError({ field: 'frames a' }, 'at least one frame', 'none');
  a.forEach((f, i) => {
    if (f.length !== b[i].length) throw new FormatError({ field: `frames b[${i}]` }, `${f.length} values (as many as a[${i}])`, b[i].length);
    if (f.length === 0) throw new FormatError({ field: `frames a[${i}]` }, 'a non-empty frame', 'no values');
  });
}

/**
 * The TeaCache paper's PSNR of a video (dB): each frame turned into 8-bit pixels, PSNR per frame with peak 255,
 * then the mean over frames; a frame identical to its reference counts as IDENTICAL_FRAME_PSNR. Infinity when
 * every frame is identical (the toolkit's "identical output", as for the pooled PSNR).
 */
export function psnrFrames8bit(a: readonly NumericArray[], b: readonly NumericArray[]): number {
  checkVideos(a, b);
  let total = 0;
  let identical = 0;
  for (let f = 0; f < a.length; f++) {
    const x = toFrame8bit(a[f]);
    const y = toFrame8bit(b[f]);
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += (x[i] - y[i]) ** 2;
    const err = sum / x.length;
    if (err === 0) identical++;
    total += err === 0 ? IDENTICAL_FRAME_PSNR : 10 * Math.log10((255 * 255) / err);
  }
  return identical === a.length ? Infinity : total / a.length;
}

/**
 * The TeaCache paper's SSIM of a video: each frame turned into 8-bit pixels, Gaussian SSIM per frame (11×11,
 * sigma 1.5, channels averaged, data range 255; the toolkit's `ssim`, which the paper's OpenCV code equals on the
 * valid region), then the mean over frames.
 */
export function ssimFrames8bit(a: readonly NumericArray[], b: readonly NumericArray[], shape: ImageShape): number {
  checkVideos(a, b);
  let total = 0;
  for (let f = 0; f < a.length; f++) total += ssim(toFrame8bit(a[f]), toFrame8bit(b[f]), { ...shape, dataRange: 255 });
  return total / a.length;
}
