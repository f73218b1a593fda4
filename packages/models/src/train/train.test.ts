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
