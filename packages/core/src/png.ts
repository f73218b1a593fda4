// Encoding is fast-png's (pure JS, maintained); this file only quantises [0, 1] floats to 8 bits and lays out tiles.
import { encode } from 'fast-png';

/** Encode an RGB image (HWC, values in [0, 1], clipped) as an 8-bit PNG. */
export function encodePngRgb(rgb: ArrayLike<number>, width: number, height: number): Buffer {
  if (rgb.length !== width * height * 3) throw new RangeError(`encodePngRgb: ${rgb.length} values for ${width}x${height}x3`);
  const bytes = new Uint8Array(width * height * 3);
  for (let i = 0; i < bytes.length; i++) {
    const v = rgb[i];
    bytes[i] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
  }
  return Buffer.from(encode({ width, height, data: bytes, channels: 3, depth: 8 }, { zlib: { level: 9 } }));
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
