import { join } from 'node:path';
import { readSafetensors } from '@teacache/models';
import { guide } from './guidance.js';

/** NCHW values of sample n, first `c` channels, as channel-last [H, W, c]. */
function channelLast(t: { shape: number[]; data: Float32Array }, n: number, c: number): Float32Array {
  const [, channels, h, w] = t.shape;
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[(y * w + x) * c + k] = t.data[((n * channels + k) * h + y) * w + x];
  }
  return out;
}

test("guidance on DiT's first three channels equals the upstream forward_with_cfg", () => {
  const fixture = join(import.meta.dirname, '..', '..', 'models', 'src', 'convert', 'fixtures', 'dit-reference.safetensors');
  const { tensors } = readSafetensors(fixture);
  const branches = tensors.get('cfg.branches')!;
  const reference = channelLast(tensors.get('cfg.guided')!, 0, 4);
  const guided = guide(channelLast(branches, 0, 4), channelLast(branches, 1, 4), 4, 4, 3);
  let worst = 0;
  for (let k = 0; k < guided.length; k++) worst = Math.max(worst, Math.abs(guided[k] - reference[k]));
  expect(worst).toBeLessThan(1e-5);
  // Guiding every channel would not match: the fourth channel is the conditional branch's own.
  const all = guide(channelLast(branches, 0, 4), channelLast(branches, 1, 4), 4, 4);
  expect(Math.max(...all.map((v, k) => Math.abs(v - reference[k])))).toBeGreaterThan(1e-2);
});

test('guidance by hand: uncond + scale·(cond − uncond) on guided channels, cond elsewhere', () => {
  const out = guide(Float32Array.of(1, 2, 3, 4), Float32Array.of(0, 1, 1, 0), 3, 2, 1);
  expect(Array.from(out)).toEqual([3, 2, 7, 4]);
});
