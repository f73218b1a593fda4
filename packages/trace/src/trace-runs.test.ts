import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceCsv, readTraceMetadata } from '@teacache/core';
import { loadModel, saveModel, selectBackend } from '@teacache/models';
import { traceRuns, runIdOf } from './trace-runs.js';
import { tinyTestModel } from './test-model.js';

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'teacache-trace-runs-'));
  const m = tinyTestModel('stdit');
  saveModel(join(dir, 'model'), m, { dtype: 'F32' });
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('trace runs write a CSV, a sidecar and a PNG per run, and a second call skips finished runs', () => {
  const loaded = loadModel(join(dir, 'model'));
  const out = join(dir, 'traces');
  const o = { loaded, modelName: 'tiny', prompts: ['cat moving left', 'cat'], seeds: [0, 1], steps: 4, guidance: 3, outDir: out, backend: 'wasm', log: () => {} };
  const first = traceRuns(o);
  expect(first.written.length).toBe(12);
  const id = runIdOf('cat moving left', 1);
  const meta = readTraceMetadata(join(out, `${id}.json`));
  expect(meta).toMatchObject({ model: 'tiny', family: 'stdit', prompt: 'cat moving left', seed: 1, steps: 4, sampler: 'euler-rf', weightsHash: loaded.weightsHash });
  expect(readTraceCsv(join(out, `${id}.csv`)).length).toBe(8);
  // the parameter count, against the tensor shapes the weights file's own header lists
  const file = readFileSync(join(dir, 'model', 'weights.safetensors'));
  const header = JSON.parse(file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape?: number[] }>;
  const fromFile = Object.entries(header).filter(([k]) => k !== '__metadata__').reduce((n, [, v]) => n + v.shape!.reduce((a, b) => a * b, 1), 0);
  expect(meta.parameters).toBe(fromFile);
  expect(readFileSync(join(out, `${id}.png`)).subarray(1, 4).toString()).toBe('PNG');
  const csvBefore = readFileSync(join(out, `${id}.csv`), 'utf8');

  // A run interrupted after its CSV (no sidecar yet) counts as unfinished and is redone.
  rmSync(join(out, `${id}.json`));
  writeFileSync(join(out, `${id}.csv`), 'run_id,step\n');
  const second = traceRuns(o);
  expect(second.skipped.length).toBe(3);
  expect(second.written).toEqual([join(out, `${id}.csv`), join(out, `${id}.json`), join(out, `${id}.png`)]);
  expect(readFileSync(join(out, `${id}.csv`), 'utf8')).toBe(csvBefore);
  expect(existsSync(join(out, `${id}.json`))).toBe(true);
  loaded.model.dispose();
});

test('a directory holding runs traced with other weights or settings is refused, naming the sidecar and field', () => {
  const loaded = loadModel(join(dir, 'model'));
  const out = join(dir, 'traces-mixed');
  const o = { loaded, modelName: 'tiny', prompts: ['cat'], seeds: [0], steps: 3, guidance: 3, outDir: out, backend: 'wasm', log: () => {} };
  traceRuns(o);
  const sidecar = join(out, `${runIdOf('cat', 0)}.json`);
  expect(() => traceRuns({ ...o, steps: 4 })).toThrow(new RegExp(`${sidecar.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, field "steps": expected 4 .*found 3`));
  expect(() => traceRuns({ ...o, guidance: 5 })).toThrow(/field "guidance": expected 5/);
  expect(() => traceRuns({ ...o, loaded: { ...loaded, weightsHash: 'sha256:other' } })).toThrow(/field "weightsHash": expected sha256:other/);
  expect(traceRuns(o).skipped).toEqual([runIdOf('cat', 0)]);
  loaded.model.dispose();
});

test('run ids are readable and unique per prompt: case, punctuation and non-Latin prompts never share one', () => {
  const prompts = ['apple on the left', 'apple on the left!', 'APPLE ON THE LEFT', '🍎 on the left', 'تفاحة', '🍎🍎'];
  const ids = prompts.map((p) => runIdOf(p, 0));
  expect(new Set(ids).size).toBe(prompts.length);
  expect(ids[0]).toMatch(/^apple-on-the-left-[0-9a-f]{8}__seed0$/);
  expect(runIdOf('apple on the left', 0)).toBe(ids[0]);
});

test('every prompt of a trace keeps its own run, even prompts that differ only in case or script', () => {
  const loaded = loadModel(join(dir, 'model'));
  const out = join(dir, 'traces-unique');
  const prompts = ['apple on the left', 'APPLE ON THE LEFT', '🍎', 'تفاحة', 'apple on the left'];
  const r = traceRuns({ loaded, modelName: 'tiny', prompts, seeds: [0], steps: 2, guidance: 1, outDir: out, backend: 'wasm', log: () => {} });
  expect(r.written.filter((p) => p.endsWith('.json')).map((p) => readTraceMetadata(p).prompt).sort()).toEqual(prompts.slice(0, 4).sort());
  loaded.model.dispose();
});

test('a run traced under the old id (no hash) of the same prompt is found and kept; another prompt\'s file is never taken', () => {
  const loaded = loadModel(join(dir, 'model'));
  const out = join(dir, 'traces-legacy');
  const o = { loaded, modelName: 'tiny', prompts: ['cat'], seeds: [0], steps: 2, guidance: 1, outDir: out, backend: 'wasm', log: () => {} };
  traceRuns(o);
  const id = runIdOf('cat', 0);
  for (const ext of ['csv', 'json', 'png']) renameSync(join(out, `${id}.${ext}`), join(out, `cat__seed0.${ext}`));
  expect(traceRuns(o).skipped).toEqual(['cat__seed0']);
  // A hand-renamed file of another prompt under this prompt's id is refused, naming the field.
  renameSync(join(out, 'cat__seed0.json'), join(out, `${id}.json`));
  renameSync(join(out, 'cat__seed0.csv'), join(out, `${id}.csv`));
  expect(() => traceRuns({ ...o, prompts: ['cat'] })).not.toThrow();
  const meta = JSON.parse(readFileSync(join(out, `${id}.json`), 'utf8'));
  writeFileSync(join(out, `${id}.json`), JSON.stringify({ ...meta, prompt: 'Cat' }));
  expect(() => traceRuns(o)).toThrow(/field "prompt": expected "cat", found "Cat"/);
  loaded.model.dispose();
});
