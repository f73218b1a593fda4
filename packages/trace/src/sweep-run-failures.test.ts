import { validatePolicySpec } from '@teacache/cache';
import { selectBackend, type DiffusionTransformer } from '@teacache/models';
import { runSweepGroup, sweepRow, type SweepFailure, type SweepGroup } from './sweep-run.js';
import type { SampleResult } from './sample-loop.js';
import { tinyTestModel } from './test-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec = validatePolicySpec({ policy: 'interval', interval: 2 });
const group = (over: Partial<SweepGroup> = {}): SweepGroup => ({
  model: 'tiny', prompt: 'cat', seed: 0, steps: 6, guidance: 3, weightsHash: 'a'.repeat(64), specs: [spec], ...over,
});

function result(video: number[], unclamped: number[]): SampleResult {
  return {
    video: Float32Array.from(video), unclamped: Float32Array.from(unclamped), space: 'pixels', rows: [], schedule: { cond: 'CCCCCC' },
    computedSteps: 6, computedBranchSteps: 6, wallSeconds: 1, branches: ['cond'], timesteps: [],
  };
}

test('identical outputs are ∞ dB only when they are identical before clamping too', () => {
  // sweepRow reads only the sample shape of the model (SSIM needs at least 11x11).
  const model = { config: { family: 'dit', frames: 1, height: 12, width: 12, channels: 3, patchSize: 1, hiddenSize: 4, depth: 1, heads: 1, mlpRatio: 1, textWidth: 4, textLength: 1, timestepFrequencies: 4 } } as unknown as DiffusionTransformer;
  const times = { wall: [1], referenceWall: [1], cpu: [1], referenceCpu: [1] };
  const n = 12 * 12 * 3;
  const same = result(Array(n).fill(1), Array(n).fill(1e20));
  expect(sweepRow(group(), spec, same, same, model, 'wasm', times).psnr).toBe(Infinity);
  // Both saturate at 1 after clamping, but the samples differ: the old row said ∞ dB, SSIM 1.
  const other = result(Array(n).fill(1), Array(n).fill(3e20));
  expect(() => sweepRow(group(), spec, other, same, model, 'wasm', times)).toThrow(/differ, but only outside the data range.*cannot be measured/);
});

test('a group whose sampling diverges records a failure per setting instead of ending the sweep', () => {
  const model = tinyTestModel('dit');
  const failures: SweepFailure[] = [];
  const rows: unknown[] = [];
  const g = group({ guidance: 1e38, specs: [spec, validatePolicySpec({ policy: 'teacache', threshold: 0.1 })] });
  runSweepGroup(model, g, 'wasm', (r) => rows.push(r), { onFailure: (f) => failures.push(f) });
  expect(rows).toHaveLength(0);
  expect(failures.map((f) => f.policy)).toEqual(['interval', 'teacache']);
  expect(failures[0]).toMatchObject({ format: 'teacache-sweep-failure', prompt: 'cat', seed: 0, steps: 6 });
  expect(failures[0].error).toMatch(/uncached reference run: sampling diverged at step \d of 6/);
  // Without a failure hook the error is thrown, as before.
  expect(() => runSweepGroup(model, g, 'wasm', () => {})).toThrow(/sampling diverged/);
  model.dispose();
});
