import { FormatError } from './errors.js';
import type { NumericArray } from './rel-l1.js';

/** Layout of an image held as a flat HWC array (row-major, channels last). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** SSIM options: the image layout and the data range (max - min possible value; 1 for [0, 1]). */
export interface SsimOptions extends ImageShape {
  dataRange?: number;
}

// Wang et al. 2004 as scikit-image implements it with gaussian_weights=True: sigma 1.5,
// truncate 3.5 (an 11-tap kernel), population covariance, K1 = 0.01, K2 = 0.03.
const SIGMA = 1.5;
const TRUNCATE = 3.5;
const K1 = 0.01;
const K2 = 0.03;
const RADIUS = Math.trunc(TRUNCATE * SIGMA + 0.5);
/** Side of the SSIM window in pixels (11): images must be at least this tall and wide. */
export const SSIM_WINDOW = 2 * RADIUS + 1;

function checkPair(a: NumericArray, b: NumericArray): void {
  if (a.length !== b.length) throw new FormatError({ field: 'b' }, `${a.length} values (as many as a)`, b.length);
  if (a.length === 0) throw new FormatError({ field: 'a' }, 'a non-empty image', 'no values');
}

function checkDataRange(dataRange: number): void {
  if (!Number.isFinite(dataRange) || dataRange <= 0) throw new FormatError({ field: 'dataRange' }, 'a finite number > 0', dataRange);
}

/** Mean squared error between two arrays of the same length. */
export function mse(a: NumericArray, b: NumericArray): number {
  checkPair(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/** Peak signal-to-noise ratio in dB, 10·log10(dataRange² / MSE); Infinity for identical inputs. */
export function psnr(a: NumericArray, b: NumericArray, dataRange = 1): number {
  checkDataRange(dataRange);
  const err = mse(a, b);
  return err === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / err);
}

function checkShape(a: NumericArray, b: NumericArray, shape: ImageShape): void {
  for (const key of ['height', 'width', 'channels'] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1) throw new FormatError({ field: key }, 'a whole number >= 1', v);
  }
  const n = shape.height * shape.width * shape.channels;
  if (a.length !== n) {
    throw new FormatError({ field: 'a' }, `${n} values (${shape.height}x${shape.width}x${shape.channels} HWC)`, a.length);
  }
  checkPair(a, b);
  if (shape.height < SSIM_WINDOW || shape.width < SSIM_WINDOW) {
    throw new FormatError({ field: 'height, width' },
      `an image at least ${SSIM_WINDOW}x${SSIM_WINDOW} (the Gaussian SSIM window)`, `${shape.height}x${shape.width}`);
  }
}

/** The normalised 1-D Gaussian kernel scipy.ndimage uses for sigma 1.5, truncate 3.5. */
function gaussianKernel(): Float64Array {
  const k = new Float64Array(2 * RADIUS + 1);
  let sum = 0;
  for (let x = -RADIUS; x <= RADIUS; x++) {
    k[x + RADIUS] = Math.exp((-0.5 / (SIGMA * SIGMA)) * x * x);
    sum += k[x + RADIUS];
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}
const KERNEL = gaussianKernel();

/** scipy's 'reflect' border (d c b a | a b c d | d c b a): the edge sample is repeated. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let m = ((i % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}

/** Separable Gaussian filter of one h×w plane (row-major), rows then columns. */
function gaussianFilter(plane: Float64Array, h: number, w: number): Float64Array {
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += KERNEL[k + RADIUS] * plane[y * w + reflect(x + k, w)];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += KERNEL[k + RADIUS] * tmp[reflect(y + k, h) * w + x];
      out[y * w + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of one channel plane, over the pixels at least RADIUS from every edge (as skimage crops). */
function ssimPlane(x: Float64Array, y: Float64Array, h: number, w: number, dataRange: number): number {
  const n = h * w;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const [ux, uy, uxx, uyy, uxy] = [x, y, xx, yy, xy].map((p) => gaussianFilter(p, h, w));
  const c1 = (K1 * dataRange) ** 2;
  const c2 = (K2 * dataRange) ** 2;
  let sum = 0;
  let count = 0;
  for (let r = RADIUS; r < h - RADIUS; r++) {
    for (let c = RADIUS; c < w - RADIUS; c++) {
      const i = r * w + c;
      const vx = uxx[i] - ux[i] * ux[i];
      const vy = uyy[i] - uy[i] * uy[i];
      const vxy = uxy[i] - ux[i] * uy[i];
      const num = (2 * ux[i] * uy[i] + c1) * (2 * vxy + c2);
      const den = (ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2);
      sum += num / den;
      count++;
    }
  }
  return sum / count;
}

/**
 * Mean structural similarity of two HWC images, as scikit-image's structural_similarity with
 * gaussian_weights=True, sigma=1.5, use_sample_covariance=False, channel_axis=-1: channels are
 * compared separately and averaged. Images must be at least 11x11.
 */
export function ssim(a: NumericArray, b: NumericArray, options: SsimOptions): number {
  const { height: h, width: w, channels } = options;
  const dataRange = options.dataRange ?? 1;
  checkDataRange(dataRange);
  checkShape(a, b, options);
  let total = 0;
  const x = new Float64Array(h * w);
  const y = new Float64Array(h * w);
  for (let ch = 0; ch < channels; ch++) {
    for (let i = 0; i < h * w; i++) {
      x[i] = a[i * channels + ch];
      y[i] = b[i * channels + ch];
    }
    total += ssimPlane(x, y, h, w, dataRange);
  }
  // SSIM lies in [-1, 1]; rounding can step outside by an ulp, which validators would refuse
  return Math.min(1, Math.max(-1, total / channels));
}

function checkFrames(a: readonly NumericArray[], b: readonly NumericArray[]): void {
  if (a.length !== b.length) throw new FormatError({ field: 'frames b' }, `${a.length} frames (as many as a)`, b.length);
  if (a.length === 0) throw new FormatError({ field: 'frames a' }, 'at least one frame', 'none');
}

/** SSIM of a video: the mean of the per-frame SSIM. Frames are HWC arrays of one shape. */
export function ssimFrames(a: readonly NumericArray[], b: readonly NumericArray[], options: SsimOptions): number {
  checkFrames(a, b);
  let total = 0;
  for (let f = 0; f < a.length; f++) total += ssim(a[f], b[f], options);
  return total / a.length;
}

/** MSE of a video, pooled over every value of every frame. */
export function mseFrames(a: readonly NumericArray[], b: readonly NumericArray[]): number {
  checkFrames(a, b);
  let sum = 0;
  let count = 0;
  for (let f = 0; f < a.length; f++) {
    checkPair(a[f], b[f]);
    sum += mse(a[f], b[f]) * a[f].length;
    count += a[f].length;
  }
  return sum / count;
}

/** PSNR of a video in dB from the pooled MSE of all frames (not the mean of per-frame PSNR); Infinity if identical. */
export function psnrFrames(a: readonly NumericArray[], b: readonly NumericArray[], dataRange = 1): number {
  checkDataRange(dataRange);
  const err = mseFrames(a, b);
  return err === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / err);
}
