import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import type { ModelConfig } from '../config.js';
import { buildVocabulary } from '../text-encoder.js';
import { clipSpecs } from '../data/clips.js';
import { train } from './train.js';

const config: ModelConfig = {
  family: 'stdit', hiddenSize: 16, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 8, width: 8,
  channels: 3, textWidth: 8, textLayers: 1, textHeads: 2, textLength: 4,
  vocabulary: buildVocabulary(clipSpecs('video').map((c) => c.caption)), prediction: 'velocity', timestepFrequencies: 16,
};
const base = { config, steps: 6, batchSize: 4, learningRate: 3e-3, seed: 1, dataSeed: 2, validateEvery: 3, quiet: true, log: () => {} };

beforeAll(async () => {
  await selectBackend('wasm');
});

test('a killed run resumes from its last checkpoint with the same result as an uninterrupted one', () => {
  const dirA = mkdtempSync(join(tmpdir(), 'teacache-train-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'teacache-train-b-'));
  try {
    const whole = train({ ...base, checkpointDir: dirA });
    const first = train({ ...base, checkpointDir: dirB, stopAfter: 3, checkpointEverySteps: 1 });
    expect(first.finished).toBe(false);
    expect(existsSync(join(dirB, 'checkpoint.json'))).toBe(true);
    first.model.dispose();
    const resumed = train({ ...base, checkpointDir: dirB });
    expect(resumed.resumedFrom).toBe(3);
    expect(resumed.finished).toBe(true);
    expect(resumed.lossHistory.map((e) => e.train)).toEqual(whole.lossHistory.map((e) => e.train));
    const a = whole.model.params.snapshot();
    const b = resumed.model.params.snapshot();
    for (const [name, values] of a) expect(Array.from(b.get(name)!)).toEqual(Array.from(values));
    for (const [name, values] of whole.ema) expect(Array.from(resumed.ema.get(name)!)).toEqual(Array.from(values));
    whole.model.dispose();
    resumed.model.dispose();
  } finally {
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('training lowers the loss below the untrained model on the same held-out clips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-train-c-'));
  try {
    const r = train({ ...base, steps: 30, validateEvery: 30, checkpointDir: dir });
    expect(r.validationLoss).toBeLessThan(r.untrainedValidationLoss);
    r.model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a later stage', () => {
  const stage2 = { ...base, steps: 4, learningRate: 1e-3, schedule: 'cosine' as const, warmupSteps: 2 };

  function firstStage(dir: string) {
    const r = train({ ...base, checkpointDir: dir });
    const start = {
      values: r.ema, step: r.step, lossHistory: r.lossHistory,
      untrainedValidationLoss: r.untrainedValidationLoss, wallSeconds: r.wallSeconds,
    };
    r.model.dispose();
    return start;
  }

  test('starts from the given weights and carries on the step count, loss history and wall time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-train-d-'));
    try {
      const start = firstStage(join(dir, 's1'));
      const none = train({ ...stage2, checkpointDir: join(dir, 's2'), start, stopAfter: 0 });
      for (const [name, values] of start.values) expect(Array.from(none.model.params.snapshot().get(name)!)).toEqual(Array.from(values));
      none.model.dispose();
      const r = train({ ...stage2, checkpointDir: join(dir, 's2b'), start });
      expect(r.step).toBe(base.steps + stage2.steps);
      expect(r.lossHistory.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(r.lossHistory.slice(0, base.steps)).toEqual(start.lossHistory);
      expect(r.untrainedValidationLoss).toBe(start.untrainedValidationLoss);
      expect(r.wallSeconds).toBeGreaterThan(start.wallSeconds);
      expect(r.finished).toBe(true);
      r.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('killed half way, resumes from its own checkpoint with the same result as an uninterrupted stage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-train-e-'));
    try {
      const start = firstStage(join(dir, 's1'));
      const whole = train({ ...stage2, checkpointDir: join(dir, 'a'), start });
      const cut = train({ ...stage2, checkpointDir: join(dir, 'b'), start, stopAfter: 2, checkpointEverySteps: 1 });
      expect(cut.finished).toBe(false);
      cut.model.dispose();
      const resumed = train({ ...stage2, checkpointDir: join(dir, 'b'), start });
      expect(resumed.resumedFrom).toBe(base.steps + 2);
      expect(resumed.lossHistory.map((e) => e.train)).toEqual(whole.lossHistory.map((e) => e.train));
      for (const [name, values] of whole.ema) expect(Array.from(resumed.ema.get(name)!)).toEqual(Array.from(values));
      whole.model.dispose();
      resumed.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
