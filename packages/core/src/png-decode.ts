import { inflateSync } from 'node:zlib';
import { FormatError } from './errors.js';
import type { FrameArray } from './frames-npy.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB or RGBA) to HWC values v/255; alpha is dropped
 * (grey is kept as one channel). Errors name the file and the unsupported feature.
 */
export function decodePng(bytes: Uint8Array, file: string): FrameArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || SIGNATURE.some((b, i) => buf[i] !== b)) throw new FormatError({ file }, 'a PNG file', 'no PNG signature');
  let pos = 8;
  let width = 0; let height = 0; let depth = 0; let colour = -1; let interlace = 0;
  const idat: Buffer[] = [];
  while (pos + 8 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.subarray(pos + 4, pos + 8).toString('latin1');
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; colour = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  if (depth !== 8) throw new FormatError({ file, field: 'bit depth' }, '8 bits per channel', depth);
  const channels = CHANNELS[colour];
  if (channels === undefined) throw new FormatError({ file, field: 'colour type' }, 'grey, grey+alpha, RGB or RGBA (no palette)', colour);
  if (interlace !== 0) throw new FormatError({ file, field: 'interlace' }, 'a non-interlaced PNG', 'Adam7');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new FormatError({ file }, `${height * (stride + 1)} bytes of image data`, raw.length);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? px[y * stride + i - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels] : 0;
      const v = filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : filter === 4 ? x + paeth(a, b, c) : -1;
      if (v < 0) throw new FormatError({ file, row: y, field: 'filter' }, 'a PNG filter 0..4', filter);
      px[y * stride + i] = v & 0xff;
    }
  }
  const keep = channels === 4 ? 3 : channels === 2 ? 1 : channels;
  const data = new Float64Array(width * height * keep);
  for (let p = 0; p < width * height; p++) for (let k = 0; k < keep; k++) data[p * keep + k] = px[p * channels + k] / 255;
  return { shape: [height, width, keep], data };
}
