import { encodePngRgb, tileGrid } from '@teacache/core';

/** A PNG strip of a sample's frames side by side (upscaled `scale`×, nearest neighbour). */
export function frameStripPng(video: Float32Array, frames: number, height: number, width: number, scale = 4): Buffer {
  const per = height * width * 3;
  const tiles = [Array.from({ length: frames }, (_, f) => video.subarray(f * per, (f + 1) * per))];
  const g = tileGrid(tiles, height, width, { scale, gap: 2, background: 1 });
  return encodePngRgb(g.rgb, g.width, g.height);
}
