import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

describe('checkpoints that do not belong to this run', () => {
  test('a checkpoint written by a run with other settings is refused, naming the file and the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-train-stale-'));
    try {
      train({ ...base, steps: 6, stopAfter: 4, checkpointDir: dir }).model.dispose();
      // The old code resumed step 4 into a 3-step run: weights past the manifest's steps, and a NaN loss.
      expect(() => train({ ...base, steps: 3, checkpointDir: dir })).toThrow(new RegExp(`${join(dir, 'checkpoint.json')}, field "run.steps": expected 3 as this training asks for .*found 6`));
      expect(() => train({ ...base, learningRate: 1e-3, checkpointDir: dir })).toThrow(/field "run.learningRate"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a corrupt checkpoint.json is an error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-train-corrupt-'));
    try {
      train({ ...base, stopAfter: 2, checkpointDir: dir }).model.dispose();
      writeFileSync(join(dir, 'checkpoint.json'), '{"step": 2, "lossHis');
      expect(() => train({ ...base, checkpointDir: dir })).toThrow(new RegExp(`${join(dir, 'checkpoint.json')}: expected valid JSON`));
      writeFileSync(join(dir, 'checkpoint.json'), '{"step": "two"}');
      expect(() => train({ ...base, checkpointDir: dir })).toThrow(/checkpoint.json, field "step": expected a whole number of steps, found "two"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a short trial killed before its first timed checkpoint resumes from a step checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-train-kill-'));
    const script = join(dir, 'run.mts');
    const options = { ...base, steps: 40, validateEvery: 1000, checkpointEverySeconds: 1e9, checkpointDir: join(dir, 'ckpt') };
    writeFileSync(script, [
      `import { selectBackend } from ${JSON.stringify(join(import.meta.dirname, '..', 'backend.ts'))};`,
      `import { train } from ${JSON.stringify(join(import.meta.dirname, 'train.ts'))};`,
      `await selectBackend('wasm');`,
      `train({ ...${JSON.stringify(options)}, log: () => {} });`,
    ].join('\n'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
      let running = true;
      const exited = new Promise((r) => child.on('exit', () => { running = false; r(null); }));
      const ckpt = join(dir, 'ckpt', 'checkpoint.json');
      const end = Date.now() + 90_000;
      while (running && !existsSync(ckpt) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(running).toBe(true);
      child.kill('SIGKILL');
      await exited;
      const saved = JSON.parse(readFileSync(ckpt, 'utf8')).step;
      expect(saved).toBeGreaterThan(0);
      expect(saved).toBeLessThan(40);
      const resumed = train({ ...options, log: () => {} });
      expect(resumed.resumedFrom).toBeGreaterThanOrEqual(saved);
      expect(resumed.finished).toBe(true);
      resumed.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
