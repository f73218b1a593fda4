import { validatePolicySpec } from '@teacache/cache';
import type { SweepRow } from '@teacache/core';
import { selectBackend, DiffusionTransformer, type ModelConfig } from '@teacache/models';
import { ReferenceCache, runSweepGroup, type SweepGroup } from './sweep-run.js';

const config: ModelConfig = {
  family: 'osp', hiddenSize: 32, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12,
  channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'dog'],
  prediction: 'epsilon', timestepFrequencies: 32,
};
let model: DiffusionTransformer;
const teacache = validatePolicySpec({ policy: 'teacache', threshold: 0.2 });
const interval = validatePolicySpec({ policy: 'interval', interval: 2 });
const group: SweepGroup = { model: 'tiny', prompt: 'cat', seed: 0, steps: 6, guidance: 3, weightsHash: 'a'.repeat(64), specs: [teacache, interval] };

beforeAll(async () => {
  await selectBackend('wasm');
  model = new DiffusionTransformer(config, { seed: 2, zeroInit: false });
});
afterAll(() => model.dispose());

const rowsOf = (g: SweepGroup, refs?: ReferenceCache) => {
  const rows: SweepRow[] = [];
  runSweepGroup(model, g, 'wasm', (r) => rows.push(r), refs);
  return rows;
};

test('settings of one group delivered one at a time with a reference cache give the rows of the whole group, warming up once', () => {
  const whole = rowsOf(group);
  const refs = new ReferenceCache();
  const one = rowsOf({ ...group, specs: [teacache] }, refs);
  const kept = refs.get(group);
  const two = rowsOf({ ...group, specs: [interval] }, refs);
  expect(kept).toBeDefined();
  expect(refs.get(group)).toBe(kept);
  const strip = (rows: SweepRow[]) => rows.map((r) => [r.policy, r.schedule, r.psnr, r.ssim, r.mse]);
  expect(strip([...one, ...two])).toEqual(strip(whole));
  // Every setting is timed against uncached runs of its own pairs, never against the cached warm-up run.
  expect(one[0].referenceWallSecondsRepeats).toHaveLength(one[0].repeats!);
  expect(one[0].referenceWallSecondsRepeats).not.toContain(kept!.wallSeconds);
});

test('the reference cache tells groups apart by prompt, seed, steps, guidance and weights, and drops the least recently used', () => {
  const refs = new ReferenceCache(2);
  const fake = (wallSeconds: number) => ({ wallSeconds }) as never;
  refs.set(group, fake(1));
  for (const other of [{ prompt: 'dog' }, { seed: 1 }, { steps: 8 }, { guidance: 4 }, { weightsHash: 'b'.repeat(64) }, { model: 'other' }]) {
    expect(refs.get({ ...group, ...other })).toBeUndefined();
  }
  refs.set({ ...group, seed: 1 }, fake(2));
  expect(refs.get(group)).toEqual({ wallSeconds: 1 });
  refs.set({ ...group, seed: 2 }, fake(3));
  // seed 1 was used least recently: it goes first.
  expect(refs.get({ ...group, seed: 1 })).toBeUndefined();
  expect(refs.get(group)).toEqual({ wallSeconds: 1 });
  expect(refs.get({ ...group, seed: 2 })).toEqual({ wallSeconds: 3 });
});
