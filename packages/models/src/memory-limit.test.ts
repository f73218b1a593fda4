import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_MODELS } from './builtin.js';
import { selectBackend } from './backend.js';
import type { ModelConfig } from './config.js';
import { checkModelFits, estimateModelMemory, memoryLimitBytes } from './memory-limit.js';
import { DiffusionTransformer } from './model.js';
import { readModelConfig } from './weights/model-io.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const small = BUILTIN_MODELS[0].config;

test('the parameter estimate is within 10% of the parameters a model really declares, for every family', () => {
  for (const b of BUILTIN_MODELS) {
    const m = new DiffusionTransformer(b.config, { seed: 0 });
    const real = 4 * m.params.count();
    m.dispose();
    const est = estimateModelMemory(b.config).parameterBytes;
    expect(est / real).toBeGreaterThan(0.9);
    expect(est / real).toBeLessThan(1.1);
  }
});

test('every built-in model fits the wasm backend', () => {
  for (const b of BUILTIN_MODELS) expect(() => checkModelFits(b.config, 'config.json', memoryLimitBytes('wasm'))).not.toThrow();
});

test('a config of depth 1e6 or hidden size 1e9 is refused before anything is allocated, naming file, field and limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-mem-'));
  try {
    const deep: ModelConfig = { ...small, depth: 1_000_000 };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(deep));
    expect(() => readModelConfig(dir)).toThrow(new RegExp(`${join(dir, 'config.json')}, field "depth": expected a model that fits in memory: about .* GiB of parameters .*against a limit of .* GiB.*found 1000000`));
    const wide: ModelConfig = { ...small, hiddenSize: 1_000_000_000, heads: 1 };
    expect(() => new DiffusionTransformer(wide)).toThrow(/field "hiddenSize": expected a model that fits in memory.*found 1000000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a deep config is estimated as the sum of its blocks', () => {
  for (const b of BUILTIN_MODELS) {
    const [eight, twelve] = [estimateModelMemory({ ...b.config, depth: 8 }), estimateModelMemory({ ...b.config, depth: 12 })];
    const m = new DiffusionTransformer({ ...b.config, depth: 12 }, { seed: 0 });
    const real = 4 * m.params.count();
    m.dispose();
    expect(twelve.parameterBytes / real).toBeGreaterThan(0.9);
    expect(twelve.parameterBytes / real).toBeLessThan(1.1);
    expect(twelve.parameterBytes).toBeGreaterThan(eight.parameterBytes);
  }
});
