import type { Clip } from './clips.js';

/** The data-set clip closest to a sample (mean squared error over all pixels), and that error. */
export function nearestClip(sample: Float32Array, clips: readonly Clip[]): { clip: Clip; mse: number } {
  let best: { clip: Clip; mse: number } | null = null;
  for (const clip of clips) {
    if (clip.pixels.length !== sample.length) throw new RangeError(`sample has ${sample.length} values, clip ${clip.pixels.length}`);
    let s = 0;
    for (let i = 0; i < sample.length; i++) s += (sample[i] - clip.pixels[i]) ** 2;
    const mse = s / sample.length;
    if (!best || mse < best.mse) best = { clip, mse };
  }
  if (!best) throw new RangeError('nearestClip: no clips');
  return best;
}
