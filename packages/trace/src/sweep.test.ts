import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireFileLock, lockPathOf, readSweepRows, sweepRowKey } from '@teacache/core';
import { validatePolicySpec } from '@teacache/cache';
import { forwardFlops, forwardFlopsParts, saveModel, selectBackend, DiffusionTransformer, type ModelConfig } from '@teacache/models';
import { runSweep } from './sweep.js';

const config: ModelConfig = {
  family: 'osp', hiddenSize: 32, depth: 2, heads: 2, mlpRatio: 2, patchSize: 4, frames: 2, height: 12, width: 12,
  channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'dog'],
  prediction: 'epsilon', timestepFrequencies: 32,
};
let dir: string;
const specs = [
  validatePolicySpec({ policy: 'teacache', threshold: 0.2 }),
  validatePolicySpec({ policy: 'interval', interval: 2 }),
  validatePolicySpec({ policy: 'first-block', threshold: 0.1 }),
];
const base = () => ({
  modelDir: join(dir, 'model'), modelName: 'tiny', prompts: ['cat', 'dog'], seeds: [0, 1], steps: 6, guidance: 3, specs,
  backend: 'wasm', log: () => {},
});

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'teacache-sweep-'));
  const m = new DiffusionTransformer(config, { seed: 2, zeroInit: false });
  saveModel(join(dir, 'model'), m, { dtype: 'F32' });
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a sweep writes one row per policy setting, prompt and seed, each compared with its uncached run', async () => {
  const out = join(dir, 'a.jsonl');
  const r = await runSweep({ ...base(), out, workers: 0 });
  expect(r.newRows).toBe(12);
  const rows = readSweepRows(out);
  expect(new Set(rows.map(sweepRowKey)).size).toBe(12);
  const interval = rows.filter((x) => x.policy === 'interval');
  for (const row of interval) {
    expect(row.schedule).toBe('CRCRCC');
    expect(row.stepSpeedup).toBeCloseTo(6 / 4, 10);
    expect(row.psnr).toBeGreaterThan(0);
  }
});

test('worker processes give the same rows (speed aside) as running in-process', async () => {
  const out = join(dir, 'b.jsonl');
  await runSweep({ ...base(), out, workers: 2 });
  const a = readSweepRows(join(dir, 'a.jsonl'));
  const b = readSweepRows(out);
  const strip = (rows: typeof a) => rows.map((r) => ({ k: sweepRowKey(r), s: r.schedule, p: r.psnr, m: r.mse }))
    .sort((x, y) => x.k.localeCompare(y.k));
  expect(strip(b)).toEqual(strip(a));
});

test('a sweep killed mid-append resumes without redoing or losing a finished run', async () => {
  const out = join(dir, 'c.jsonl');
  const full = readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n').filter(Boolean);
  // Five finished rows and half of a sixth: what a kill during an append leaves.
  writeFileSync(out, full.slice(0, 5).join('\n') + '\n' + full[5].slice(0, 40));
  const warnings: string[] = [];
  const r = await runSweep({ ...base(), out, workers: 0, log: (l) => warnings.push(l) });
  expect(r.skippedRows).toBe(5);
  expect(r.newRows).toBe(7);
  const rows = readSweepRows(out);
  expect(rows.length).toBe(12);
  expect(new Set(rows.map(sweepRowKey)).size).toBe(12);
  const again = await runSweep({ ...base(), out, workers: 0 });
  expect(again.newRows).toBe(0);
});

test('rows record the weights and guidance; resuming a file made with other weights or guidance is refused', async () => {
  const out = join(dir, 'd.jsonl');
  const rows = readSweepRows(join(dir, 'a.jsonl'));
  expect(rows[0].weightsHash).toMatch(/^[0-9a-f]{64}$/);
  expect(rows[0].guidance).toBe(3);
  writeFileSync(out, readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
  await expect(runSweep({ ...base(), out, workers: 0, guidance: 5 })).rejects.toThrow(/d\.jsonl, row 1, field "guidance": expected 5 .*found 3/);
  const other = JSON.parse(readFileSync(out, 'utf8').split('\n')[0]);
  writeFileSync(out, JSON.stringify({ ...other, weightsHash: 'f'.repeat(64) }) + '\n');
  await expect(runSweep({ ...base(), out, workers: 0 })).rejects.toThrow(/row 1, field "weightsHash": expected [0-9a-f]{64}, the weights being swept/);
});

test('every row carries its timed pairs, a wall-speedup interval around the estimate, CPU time and FLOPs', async () => {
  const rows = readSweepRows(join(dir, 'a.jsonl'));
  for (const row of rows) {
    expect(row.repeats).toBe(3);
    expect(row.wallSecondsRepeats).toHaveLength(3);
    expect(row.referenceWallSecondsRepeats).toHaveLength(3);
    // the estimate is the geometric mean of the paired ratios, and the ratio of the stored geometric-mean times
    const ratios = row.referenceWallSecondsRepeats!.map((r, i) => Math.log(r / row.wallSecondsRepeats![i]));
    expect(row.wallSpeedup).toBeCloseTo(Math.exp(ratios.reduce((a, b) => a + b, 0) / 3), 10);
    expect(row.wallSpeedup).toBeCloseTo(row.referenceWallSeconds / row.wallSeconds, 10);
    expect(row.wallSpeedupLow!).toBeLessThanOrEqual(row.wallSpeedup);
    expect(row.wallSpeedupHigh!).toBeGreaterThanOrEqual(row.wallSpeedup);
    expect(row.wallSpeedupImpossible).toBe(row.wallSpeedupLow! > row.stepSpeedup);
    expect(row.cpuSeconds).toBeGreaterThan(0);
    expect(row.psnrFrames8bit).toBeGreaterThan(0);
    expect(row.ssimFrames8bit).toBeLessThanOrEqual(1);
  }
  // FLOPs by hand from the model's own count: guided (2 branches), 6 steps; interval k=2 computes 4 of them
  const parts = forwardFlopsParts(config);
  const stack = parts.blocks.reduce((a, b) => a + b, 0);
  const interval = rows.find((r) => r.policy === 'interval')!;
  expect(interval.referenceFlops).toBe(6 * forwardFlops(config, 2));
  expect(interval.flops).toBe(12 * parts.outside + 8 * stack);
  // First Block Cache pays for its first block on the steps it reuses
  const fb = rows.find((r) => r.policy === 'first-block')!;
  const reused = 2 * fb.skippedSteps;
  expect(fb.flops).toBe(12 * parts.outside + (12 - reused) * stack + reused * parts.blocks[0]);
});

test('repeats is an option; the oracle is timed once; a repeat count below 1 is refused', async () => {
  const out = join(dir, 'e.jsonl');
  const oracle = validatePolicySpec({ policy: 'oracle', threshold: 0.2 });
  await runSweep({ ...base(), prompts: ['cat'], seeds: [0], specs: [specs[1], oracle], out, workers: 0, repeats: 2 });
  const rows = readSweepRows(out);
  expect(rows.map((r) => [r.policy, r.repeats])).toEqual([['interval', 2], ['oracle', 1]]);
  expect(rows[1].wallSpeedupLow).toBeNull();
  await expect(runSweep({ ...base(), out: join(dir, 'f.jsonl'), workers: 0, repeats: 0 })).rejects.toThrow(/field "repeats"/);
});

test('a second sweep into the same file is refused while the first runs, and the file is left alone', async () => {
  const out = join(dir, 'g.jsonl');
  writeFileSync(out, readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
  const before = readFileSync(out, 'utf8');
  const release = acquireFileLock(out, 'sweep writing this file');
  try {
    await expect(runSweep({ ...base(), out, workers: 0 })).rejects.toThrow(new RegExp(`g.jsonl: expected no other sweep writing this file at work .*found "process ${process.pid}`));
  } finally {
    release();
  }
  expect(readFileSync(out, 'utf8')).toBe(before);
  expect(existsSync(lockPathOf(out))).toBe(false);
});

test('runs that fail are recorded with their error and the sweep goes on; the next sweep retries them', async () => {
  const out = join(dir, 'h.jsonl');
  const r = await runSweep({ ...base(), out, workers: 0, prompts: ['cat'], seeds: [0], guidance: 1e38 });
  expect(r).toMatchObject({ newRows: 0, failedRuns: specs.length, failuresFile: join(dir, 'h.failures.jsonl') });
  const failures = readFileSync(r.failuresFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(failures.map((f) => f.policy).sort()).toEqual(['first-block', 'interval', 'teacache']);
  expect(failures[0].error).toMatch(/sampling diverged at step \d+ of 6/);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(lockPathOf(out))).toBe(false);
  const retried = await runSweep({ ...base(), out, workers: 0, prompts: ['cat'], seeds: [0] });
  expect(retried).toMatchObject({ newRows: specs.length, failedRuns: 0 });
});

test('the onnx and tfjs engines sweep the same skip schedules, and rows name the engine', async () => {
  const rowsOn = async (engine: string) => {
    const out = join(dir, `engine-${engine}.jsonl`);
    await runSweep({ ...base(), out, workers: 0, engine, repeats: 1 });
    return readSweepRows(out).sort((x, y) => sweepRowKey(x).localeCompare(sweepRowKey(y)));
  };
  const t = await rowsOn('tfjs');
  const o = await rowsOn('onnx');
  expect(o.map((r) => r.schedule)).toEqual(t.map((r) => r.schedule));
  expect(t.some((r) => r.schedule.includes('R'))).toBe(true);
  expect(new Set(t.map((r) => r.backend))).toEqual(new Set(['wasm']));
  expect(new Set(o.map((r) => r.backend))).toEqual(new Set(['onnx-cpu']));
  // Same schedules on outputs equal within 1e-4: PSNR agrees closely (identical runs are capped, so compare MSE too).
  o.forEach((r, i) => expect(Math.abs(r.mse - t[i].mse)).toBeLessThan(1e-6));
});

test('a model smaller than the 11x11 SSIM window is refused before any run, naming its config and size', async () => {
  const small = new DiffusionTransformer({ ...config, height: 8, width: 8 }, { seed: 2, zeroInit: false });
  const modelDir = join(dir, 'small-model');
  saveModel(modelDir, small, { dtype: 'F32' });
  small.dispose();
  const out = join(dir, 'small.jsonl');
  await expect(runSweep({ ...base(), modelDir, out, workers: 0 }))
    .rejects.toThrow(/small-model\/config\.json, field "height, width": expected a sample at least 11x11 to sweep .*found "?8x8/);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(`${out}.failures.jsonl`)).toBe(false);
});
