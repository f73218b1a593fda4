import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireFileLock, lockPathOf, readSweepRows, sweepRowKey } from '@teacache/core';
import { validatePolicySpec } from '@teacache/cache';
import { saveModel, selectBackend, DiffusionTransformer, type ModelConfig } from '@teacache/models';
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

test('a second sweep into the same file is refused while the first runs, and the file is left alone', async () => {
  const out = join(dir, 'e.jsonl');
  writeFileSync(out, readFileSync(join(dir, 'a.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
  const before = readFileSync(out, 'utf8');
  const release = acquireFileLock(out, 'sweep writing this file');
  try {
    await expect(runSweep({ ...base(), out, workers: 0 })).rejects.toThrow(new RegExp(`e.jsonl: expected no other sweep writing this file at work .*found "process ${process.pid}`));
  } finally {
    release();
  }
  expect(readFileSync(out, 'utf8')).toBe(before);
  expect(existsSync(lockPathOf(out))).toBe(false);
});

test('runs that fail are recorded with their error and the sweep goes on; the next sweep retries them', async () => {
  const out = join(dir, 'f.jsonl');
  const r = await runSweep({ ...base(), out, workers: 0, prompts: ['cat'], seeds: [0], guidance: 1e38 });
  expect(r).toMatchObject({ newRows: 0, failedRuns: specs.length, failuresFile: join(dir, 'f.failures.jsonl') });
  const failures = readFileSync(r.failuresFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(failures.map((f) => f.policy).sort()).toEqual(['first-block', 'interval', 'teacache']);
  expect(failures[0].error).toMatch(/sampling diverged at step \d+ of 6/);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(lockPathOf(out))).toBe(false);
  const retried = await runSweep({ ...base(), out, workers: 0, prompts: ['cat'], seeds: [0] });
  expect(retried).toMatchObject({ newRows: specs.length, failedRuns: 0 });
});
