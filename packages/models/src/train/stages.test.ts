import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { sha256OfFile } from '../weights/safetensors.js';
import { finishedStages } from './finish.js';
import { trainStages } from './stages.js';
import { TEST_BUILTIN as builtin } from './test-builtin.js';

let root: string;
beforeAll(async () => {
  await selectBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'teacache-stages-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (dir: string, over: Partial<Parameters<typeof trainStages>[0]> = {}) => {
  const lines: string[] = [];
  const result = trainStages({ dir, builtin, backend: 'wasm', command: 'test', quiet: true, log: (l) => lines.push(l), ...over });
  return { ...result, lines };
};

test('trains every stage of the recipe, writing the model directory and a manifest of both stages', () => {
  const dir = join(root, 'all');
  const r = run(dir);
  expect(r).toMatchObject({ trained: 2, kept: 0 });
  expect(r.written).toEqual([join(dir, 'config.json'), join(dir, 'weights.safetensors'), join(dir, 'manifest.json')]);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(manifest.stages.map((s: { steps: number; schedule: string }) => [s.steps, s.schedule])).toEqual([[3, 'constant'], [2, 'cosine']]);
  expect(manifest.steps).toBe(5);
  expect(manifest.weightsSha256).toBe(sha256OfFile(join(dir, 'weights.safetensors')));
  // Checkpoints are cleared once a stage is done.
  expect(existsSync(join(dir, 'checkpoint', 'stage-1', 'checkpoint.json'))).toBe(false);
  expect(r.lines.filter((l) => /^stage \d of 2:/.test(l))).toHaveLength(2);
});

test('a directory holding every stage is left as it is', () => {
  const dir = join(root, 'all');
  const before = sha256OfFile(join(dir, 'weights.safetensors'));
  const r = run(dir);
  expect(r).toMatchObject({ written: [], trained: 0, kept: 2 });
  expect(r.lines).toEqual([`test-tiny already holds all 2 training stage(s) in ${dir}; --from-scratch retrains`]);
  expect(sha256OfFile(join(dir, 'weights.safetensors'))).toBe(before);
});

test('with the first stage stored, only the second trains, from the stored weights', () => {
  const dir = join(root, 'second');
  // The first stage alone, as a stopped earlier call leaves it: train it here and keep it.
  const one = { ...builtin, training: { ...builtin.training, stages: [builtin.training.stages[0]] } };
  trainStages({ dir, builtin: one, backend: 'wasm', command: 'test', quiet: true, log: () => {} });
  expect(finishedStages(dir, builtin).stages).toHaveLength(1);
  const r = run(dir);
  expect(r).toMatchObject({ trained: 1, kept: 1 });
  expect(r.lines[0]).toMatch(/^stage 2 of 2: 2 steps, .*, from the stored stage-1 weights$/);
  // The same two stages trained in one call give the same weights: the second started from the stored first.
  expect(sha256OfFile(join(dir, 'weights.safetensors'))).toBe(sha256OfFile(join(root, 'all', 'weights.safetensors')));
});

test('--steps overrides each stage\'s steps, and from scratch trains again ignoring what is stored', () => {
  const dir = join(root, 'all');
  const r = run(dir, { steps: 1, fromScratch: true });
  expect(r).toMatchObject({ trained: 2, kept: 0 });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(manifest.stages.map((s: { steps: number }) => s.steps)).toEqual([1, 1]);
});

test('a kept checkpoint stays after its stage', () => {
  const dir = join(root, 'kept');
  run(dir, { keepCheckpoint: true, checkpointEverySteps: 1 });
  expect(existsSync(join(dir, 'checkpoint', 'stage-1', 'checkpoint.json'))).toBe(true);
});
