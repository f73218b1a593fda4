import * as tf from '@tensorflow/tfjs';
import { parseTraceCsv, traceToCsv, relL1 } from '@teacache/core';
import { createPolicy } from '@teacache/cache';
import { selectBackend, DiffusionTransformer } from '@teacache/models';
import { sampleRun, SamplingDivergedError } from './sample-loop.js';
import { rowStats, readRows } from './signals.js';
import { tinyTestModel } from './test-model.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('rowStats', () => {
  test('relative L1 per row equals a hand computation', () => {
    const prev = tf.tensor2d([[1, -2, 3, -4], [0.5, 0.5, 0.5, 0.5]]);
    const cur = tf.tensor2d([[1.5, -2, 2, -4], [0.5, 1.5, 0.5, 0.5]]);
    const [rel, abs] = rowStats(cur, prev);
    const [r, a] = readRows([rel, abs], 2);
    // Row 0: |0.5|+0+|1|+0 = 1.5 over 10 → 0.15. Row 1: 1 over 2 → 0.5.
    expect(r![0]).toBeCloseTo(0.15, 6);
    expect(r![1]).toBeCloseTo(0.5, 6);
    expect(a![0]).toBeCloseTo((1.5 + 2 + 2 + 4) / 4, 6);
    expect(r![0]).toBeCloseTo(relL1([1.5, -2, 2, -4], [1, -2, 3, -4]), 6);
    tf.dispose([prev, cur, rel!, abs]);
  });
});

describe('sampleRun', () => {
  test('a fixed seed gives the same trace twice, byte for byte', () => {
    const model = tinyTestModel('stdit');
    const run = () => traceToCsv(sampleRun({ model, caption: 'cat moving left', seed: 3, steps: 6, guidance: 3, record: true, runId: 'r' }).rows);
    const a = run();
    const b = run();
    expect(a).toBe(b);
    const rows = parseTraceCsv(a, 'memory');
    expect(rows.length).toBe(12);
    model.dispose();
  });

  test('the rows of a guided run hold both branches, each with every step in order', () => {
    const model = tinyTestModel('latte');
    const { rows, branches } = sampleRun({ model, caption: 'cat', seed: 0, steps: 5, guidance: 4, record: true, runId: 'g' });
    expect(branches).toEqual(['cond', 'uncond']);
    for (const b of ['cond', 'uncond'] as const) {
      expect(rows.filter((r) => r.branch === b).map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    }
    const step0 = rows.find((r) => r.step === 0)!;
    expect(step0.relL1.modulated).toBeNull();
    const step2 = rows.filter((r) => r.step === 2);
    expect(step2[0].relL1.output).not.toBe(step2[1].relL1.output);
    model.dispose();
  });

  test('an unguided run records the cond branch only', () => {
    const model = tinyTestModel('dit');
    const { rows } = sampleRun({ model, caption: 'cat', seed: 0, steps: 4, guidance: 1, record: true });
    expect(new Set(rows.map((r) => r.branch))).toEqual(new Set(['cond']));
    model.dispose();
  });

  test('the teacache policy really reuses: skipped steps leave the residual unchanged', () => {
    const model = tinyTestModel('osp');
    const policy = createPolicy({ policy: 'teacache', threshold: 0.5 });
    const r = sampleRun({ model, caption: 'cat', seed: 1, steps: 12, guidance: 3, record: true, policy });
    const sched = r.schedule.cond!;
    expect(sched[0]).toBe('C');
    expect(sched[sched.length - 1]).toBe('C');
    expect(sched).toContain('R');
    expect(r.computedBranchSteps).toBeLessThan(24);
    // A reused step adds the cached residual again, so its residual equals the previous step's.
    for (const row of r.rows.filter((x) => x.computed === 0)) expect(row.relL1.residual).toBe(0);
    model.dispose();
  });

  test('threshold 0 computes every step and gives the uncached sample exactly', () => {
    const model = tinyTestModel('stdit');
    const ref = sampleRun({ model, caption: 'cat', seed: 2, steps: 6, guidance: 2 });
    const zero = sampleRun({ model, caption: 'cat', seed: 2, steps: 6, guidance: 2, policy: createPolicy({ policy: 'teacache', threshold: 0 }) });
    expect(zero.schedule.cond).toBe('CCCCCC');
    expect(Array.from(zero.video)).toEqual(Array.from(ref.video));
    model.dispose();
  });

  test('first-block and oracle policies run with the signals they need', () => {
    const model = tinyTestModel('latte');
    for (const spec of [{ policy: 'first-block', threshold: 0.3 }, { policy: 'oracle', threshold: 0.3 }]) {
      const r = sampleRun({ model, caption: 'cat', seed: 1, steps: 8, guidance: 2, policy: createPolicy(spec) });
      expect(r.schedule.cond!.length).toBe(8);
      expect(r.schedule.cond![0]).toBe('C');
    }
    model.dispose();
  });

  test('no tensor leaks across 100 cached and uncached steps', () => {
    const model = tinyTestModel('osp');
    sampleRun({ model, caption: 'cat', seed: 0, steps: 2, guidance: 2 });
    const before = tf.memory().numTensors;
    sampleRun({ model, caption: 'cat', seed: 0, steps: 50, guidance: 2, record: true });
    sampleRun({ model, caption: 'cat', seed: 0, steps: 50, guidance: 2, record: true, policy: createPolicy({ policy: 'teacache', threshold: 0.3 }) });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('runs that are not finite, and models that are all zeros', () => {
  test('relative L1 of two all-zero rows is 0, as core relL1 says, not 0/0', () => {
    const zero = tf.zeros([2, 4]);
    const cur = tf.tensor2d([[0, 0, 0, 0], [1, 0, 0, 0]]);
    const [rel] = rowStats(cur, zero);
    const [r] = readRows([rel], 2);
    expect(r![0]).toBe(relL1([0, 0, 0, 0], [0, 0, 0, 0]));
    expect(r![0]).toBe(0);
    expect(r![1]).toBe(Infinity);
    tf.dispose([zero, cur, rel!]);
  });

  test('a freshly initialised (zero-gated) model can be traced: every trace value is finite', () => {
    const fresh = tinyTestModel('latte');
    const cfg = fresh.config;
    fresh.dispose();
    const model = new DiffusionTransformer(cfg, { seed: 1 });
    const rows = sampleRun({ model, caption: 'cat', seed: 0, steps: 4, guidance: 3, record: true, runId: 'fresh' }).rows;
    expect(parseTraceCsv(traceToCsv(rows), 'memory')).toHaveLength(8);
    model.dispose();
  });

  test('a model with a NaN weight stops at step 0, naming it, instead of giving a sample', () => {
    const model = tinyTestModel('dit');
    const [name, v] = [...model.params.variables].find(([n]) => n.includes('final') || n.includes('head')) ?? [...model.params.variables][0];
    v.assign(tf.fill(v.shape, NaN));
    expect(name).toBeTruthy();
    expect(() => sampleRun({ model, caption: 'cat', seed: 0, steps: 4, guidance: 1 })).toThrow(/sampling diverged at step 0 of 4 .*prediction holds NaN or Infinity/);
    model.dispose();
  });

  test('a guidance scale that overflows stops the run at the step it overflows, and the error says so', () => {
    const model = tinyTestModel('dit');
    let caught: unknown;
    try {
      sampleRun({ model, caption: 'cat', seed: 0, steps: 6, guidance: 1e38 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SamplingDivergedError);
    expect((caught as Error).message).toMatch(/sampling diverged at step \d of 6/);
    model.dispose();
  });

  test('a guidance scale that stays finite but blows the sample past what float32 resolves (1e30) stops the run too', () => {
    const model = tinyTestModel('dit');
    // At 1e30 every value stays finite, and the old rows said ∞ dB: the samples agree only because they carry no image.
    expect(() => sampleRun({ model, caption: 'cat', seed: 0, steps: 6, guidance: 1e30 })).toThrow(/sampling diverged at step \d of 6 .*exceeds ±2\^24/);
    // An ordinary guided run never comes near the limit.
    const ok = sampleRun({ model, caption: 'cat', seed: 0, steps: 6, guidance: 4 });
    expect(Math.max(...Array.from(ok.unclamped, Math.abs))).toBeLessThan(2 ** 24);
    model.dispose();
  });
});
