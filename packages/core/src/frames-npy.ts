import { FormatError } from './errors.js';

/** An array read from a file: values widened to float64, row-major, with its shape. */
export interface FrameArray {
  shape: number[];
  data: Float64Array;
}

const NPY_MAGIC = '\x93NUMPY';

/** float16 bits to a number (IEEE half: 1 sign, 5 exponent, 10 fraction bits). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Parse a NumPy .npy file (format 1.0-3.0, C order) of float16/32/64 or uint8; uint8 values v read as v/255
 * (8-bit frames). Errors name the file and what is unsupported.
 */
export function parseNpy(bytes: Uint8Array, file: string): FrameArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || buf.subarray(0, 6).toString('latin1') !== NPY_MAGIC) throw new FormatError({ file }, 'a NumPy .npy file', 'no \\x93NUMPY magic');
  const major = buf[6];
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = buf.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new FormatError({ file, field: 'header' }, 'a NumPy header with descr, fortran_order and shape', header.trim());
  if (fortran === 'True') throw new FormatError({ file, field: 'fortran_order' }, 'False (C order; save with np.ascontiguousarray)', 'True');
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const kinds: Record<string, [number, (o: number) => number]> = {
    '<f4': [4, (o) => buf.readFloatLE(o)], '<f8': [8, (o) => buf.readDoubleLE(o)], '<f2': [2, (o) => half(buf.readUInt16LE(o))],
    '|u1': [1, (o) => buf[o] / 255], '<u1': [1, (o) => buf[o] / 255],
  };
  const kind = kinds[descr];
  if (!kind) throw new FormatError({ file, field: 'descr' }, `one of ${Object.keys(kinds).join(', ')} (float16/32/64 or uint8)`, descr);
  const [size, read] = kind;
  if (buf.length - start < count * size) throw new FormatError({ file }, `${count * size} data bytes for shape (${shape.join(', ')})`, buf.length - start);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(start + i * size);
  return { shape, data };
}
