import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { TEST_BUILTIN as builtin } from './test-builtin.js';
import { train } from './train.js';
import { finishedStages, resolvedStage, stageStartFrom, writeTrainedModel } from './finish.js';

let root: string;
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'teacache-finish-'));
  dir = join(root, 'test-tiny');
  const stage = resolvedStage(builtin.training.stages[0]);
  const r = train({ ...builtin.training, ...stage, config: builtin.config, checkpointDir: join(root, 'ckpt'), quiet: true, log: () => {} });
  writeTrainedModel(dir, builtin, r, 'wasm', 'test', [{ ...stage, wallSeconds: 1, finishedAt: 'now' }]);
  r.model.dispose();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const manifestFile = () => join(dir, 'manifest.json');
function withManifest(edit: (m: Record<string, unknown>) => void, fn: () => void): void {
  const original = readFileSync(manifestFile(), 'utf8');
  const m = JSON.parse(original) as Record<string, unknown>;
  edit(m);
  writeFileSync(manifestFile(), JSON.stringify(m));
  try {
    fn();
  } finally {
    writeFileSync(manifestFile(), original);
  }
}

test('a stored first stage is found, and the next stage starts from its float16 weights', () => {
  const { stages, manifest } = finishedStages(dir, builtin);
  expect(stages).toHaveLength(1);
  expect(stages[0]).toMatchObject({ steps: 3, learningRate: 3e-3, schedule: 'constant', lossWeighting: 'uniform' });
  const start = stageStartFrom(dir, manifest!);
  expect(start.step).toBe(3);
  expect(start.lossHistory).toHaveLength(3);
  expect(start.values.size).toBeGreaterThan(0);
});

test('a directory without a model holds no stages', () => {
  expect(finishedStages(join(root, 'nothing-here'), builtin).stages).toEqual([]);
});

test('a manifest from before stages existed reads as one constant-rate stage', () => {
  withManifest((m) => {
    const stage = (m.stages as Record<string, unknown>[])[0];
    delete m.stages;
    m.learningRate = stage.learningRate;
  }, () => {
    expect(finishedStages(dir, builtin).stages[0]).toMatchObject({ steps: 3, learningRate: 3e-3, schedule: 'constant' });
  });
});

test('a stored stage made by another recipe is refused naming the stage', () => {
  withManifest((m) => { (m.stages as Record<string, unknown>[])[0].learningRate = 5e-3; }, () => {
    expect(() => finishedStages(dir, builtin)).toThrow(/manifest\.json, field "stages\[0\]\.learningRate": expected 0\.003 .*--from-scratch.*found 0\.005/);
  });
});

test('a stored stage without timestepSampling (made before it existed) reads as uniform; another sampling is refused', () => {
  withManifest((m) => { delete (m.stages as Record<string, unknown>[])[0].timestepSampling; }, () => {
    expect(finishedStages(dir, builtin).stages).toHaveLength(1);
  });
  withManifest((m) => { (m.stages as Record<string, unknown>[])[0].timestepSampling = 'logit-normal'; }, () => {
    expect(() => finishedStages(dir, builtin)).toThrow(/field "stages\[0\]\.timestepSampling": expected uniform .*found "logit-normal"/);
  });
});

test('weights that are not the ones the manifest names are refused', () => {
  withManifest((m) => { m.weightsSha256 = '0'.repeat(64); }, () => {
    expect(() => finishedStages(dir, builtin)).toThrow(/field "weightsSha256"/);
  });
});

test('a model trained with another batch size or seed is refused', () => {
  withManifest((m) => { m.batchSize = 8; }, () => {
    expect(() => finishedStages(dir, builtin)).toThrow(/field "batchSize\/seed\/dataSeed"/);
  });
});
