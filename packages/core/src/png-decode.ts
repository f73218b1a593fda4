// Decoding is fast-png's (pure JS, maintained, every PNG a user's tools write: palette, 16-bit, interlaced);
// this file only turns its result into the frame values the metrics read.
import { convertIndexedToRgb, decode, type DecodedPng } from 'fast-png';
import { FormatError } from './errors.js';
import type { FrameArray } from './frames-npy.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decode a PNG (grey, grey+alpha, RGB, RGBA or palette; 8 or 16 bits; interlaced or not) to HWC values in [0, 1]
 * (v/255, or v/65535 at 16 bits); alpha is dropped and grey is kept as one channel. Errors name the file.
 */
export function decodePng(bytes: Uint8Array, file: string): FrameArray {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new FormatError({ file }, 'a PNG file', 'no PNG signature');
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new FormatError({ file }, 'a readable PNG', (err as Error).message);
  }
  const { width, height } = png;
  let samples = png.data;
  let channels = png.channels;
  let top = 2 ** png.depth - 1;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = samples.length / (width * height);
    top = 255;
  } else if (png.depth < 8) {
    throw new FormatError({ file, field: 'bit depth' }, '8 or 16 bits per channel (or a palette)', png.depth);
  }
  if (samples.length !== width * height * channels) {
    throw new FormatError({ file }, `${width * height * channels} samples (${width}x${height}x${channels})`, samples.length);
  }
  const keep = channels === 4 ? 3 : channels === 2 ? 1 : channels;
  const data = new Float64Array(width * height * keep);
  for (let p = 0; p < width * height; p++) for (let k = 0; k < keep; k++) data[p * keep + k] = samples[p * channels + k] / top;
  return { shape: [height, width, keep], data };
}
