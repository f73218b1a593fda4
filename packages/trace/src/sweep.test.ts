import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSweepRows, sweepRowKey } from '@teacache/core';
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

test('the onnx and tfjs engines sweep the same skip schedules, and rows name the engine', async () => {
  const rowsOn = async (engine: string) => {
    const out = join(dir, `engine-${engine}.jsonl`);
    await runSweep({ ...base(), out, workers: 0, engine });
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
