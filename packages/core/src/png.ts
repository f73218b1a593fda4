import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode an RGB image (HWC, values in [0, 1], clipped) as an 8-bit PNG. */
export function encodePngRgb(rgb: ArrayLike<number>, width: number, height: number): Buffer {
  if (rgb.length !== width * height * 3) throw new RangeError(`encodePngRgb: ${rgb.length} values for ${width}x${height}x3`);
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0;
    for (let i = 0; i < width * 3; i++) {
      const v = rgb[y * width * 3 + i];
      raw[y * (1 + width * 3) + 1 + i] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Lay out tiles (each tileH×tileW×3 in [0, 1]) in a grid of `columns`, with a `gap` of background pixels,
 * upscaled by an integer `scale` (nearest neighbour) so tiny samples are visible. Returns HWC RGB.
 */
export function tileGrid(tiles: ArrayLike<number>[][], tileH: number, tileW: number, options: { scale?: number; gap?: number; background?: number } = {}):
  { rgb: Float32Array; width: number; height: number } {
  const scale = options.scale ?? 1;
  const gap = options.gap ?? 1;
  const bg = options.background ?? 0.5;
  const rows = tiles.length;
  const cols = Math.max(...tiles.map((r) => r.length));
  const width = cols * tileW * scale + (cols + 1) * gap;
  const height = rows * tileH * scale + (rows + 1) * gap;
  const rgb = new Float32Array(width * height * 3).fill(bg);
  tiles.forEach((row, r) => row.forEach((tile, c) => {
    const ox = gap + c * (tileW * scale + gap);
    const oy = gap + r * (tileH * scale + gap);
    for (let y = 0; y < tileH * scale; y++) {
      for (let x = 0; x < tileW * scale; x++) {
        const s = (Math.floor(y / scale) * tileW + Math.floor(x / scale)) * 3;
        const d = ((oy + y) * width + ox + x) * 3;
        rgb[d] = tile[s]; rgb[d + 1] = tile[s + 1]; rgb[d + 2] = tile[s + 2];
      }
    }
  }));
  return { rgb, width, height };
}
