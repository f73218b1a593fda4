import type { DiffusionTransformer } from '@teacache/models';
import type { SampleResult } from './sample-loop.js';
import { sweepRow, type SweepGroup } from './sweep-run.js';
import { latentPreview } from './strip.js';

// SSIM needs at least an 11×11 image.
const model = { config: { family: 'dit', frames: 1, height: 11, width: 11, channels: 1, patchSize: 1, hiddenSize: 4, depth: 1, heads: 1, mlpRatio: 1, textWidth: 4, textLength: 1, timestepFrequencies: 4 } } as unknown as DiffusionTransformer;
const times = { wall: [1, 1], referenceWall: [1, 1], cpu: [1, 1], referenceCpu: [1, 1] };
const base = Array.from({ length: 121 }, (_, i) => (i % 9) - 3);
const group: SweepGroup = { model: 'm', prompt: 'p', seed: 0, steps: 2, guidance: 1, weightsHash: 'h', specs: [] };
function result(video: number[], space: 'pixels' | 'latents'): SampleResult {
  return { video: Float32Array.from(video), space, rows: [], schedule: { cond: 'CC' }, computedSteps: 2, computedBranchSteps: 2, wallSeconds: 1, branches: ['cond'], timesteps: [1, 0] };
}

test('metrics of a latent-space model are computed on the latents with their own range, and labelled latents', () => {
  const ref = result(base, 'latents');
  const run = result(base.map((v, i) => (i === 7 ? v + 1 : v)), 'latents');
  const row = sweepRow(group, { policy: 'none' }, run, ref, model, 'wasm', times);
  expect(row.metricSpace).toBe('latents');
  expect(row.mse).toBeCloseTo(1 / 121, 10);
  // By hand: range 8 (from -3 to 5), PSNR = 10·log10(8² / mse).
  expect(row.psnr).toBeCloseTo(10 * Math.log10(64 * 121), 6);
});

test('metrics of a pixel-space model keep the [0, 1] range and no label', () => {
  const pixels = base.map((v) => (v + 3) / 16);
  const row = sweepRow(group, { policy: 'none' }, result(pixels.map((v, i) => (i === 7 ? v + 0.5 : v)), 'pixels'), result(pixels, 'pixels'), model, 'wasm', times);
  expect(row.metricSpace).toBeUndefined();
  expect(row.psnr).toBeCloseTo(10 * Math.log10(1 / (0.25 / 121)), 6);
});

test('the latent preview shows the first three channels scaled by the sample range', () => {
  // Two pixels of four channels; range -2..6.
  const preview = latentPreview(Float32Array.of(-2, 0, 2, 9 - 3, 6, 4, -2, 0), 4);
  expect(Array.from(preview)).toEqual([0, 0.25, 0.5, 1, 0.75, 0]);
  // One channel is repeated into three.
  expect(Array.from(latentPreview(Float32Array.of(1, 3), 1))).toEqual([0, 0, 0, 1, 1, 1]);
});
