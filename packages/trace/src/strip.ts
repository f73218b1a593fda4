import { encodePngRgb, tileGrid } from '@teacache/core';

/** A PNG strip of a sample's frames side by side (upscaled `scale`×, nearest neighbour). */
export function frameStripPng(video: Float32Array, frames: number, height: number, width: number, scale = 4): Buffer {
  const per = height * width * 3;
  const tiles = [Array.from({ length: frames }, (_, f) => video.subarray(f * per, (f + 1) * per))];
  const g = tileGrid(tiles, height, width, { scale, gap: 2, background: 1 });
  return encodePngRgb(g.rgb, g.width, g.height);
}

/**
 * A viewable stand-in for latents (no decoder here): the first three channels (fewer repeat the last), each
 * scaled by the sample's own min..max to [0, 1]. Returns frames × height × width × 3.
 */
export function latentPreview(latents: Float32Array, channels: number): Float32Array {
  const pixels = latents.length / channels;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of latents) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi > lo ? hi - lo : 1;
  const out = new Float32Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    for (let k = 0; k < 3; k++) out[i * 3 + k] = (latents[i * channels + Math.min(k, channels - 1)] - lo) / span;
  }
  return out;
}
