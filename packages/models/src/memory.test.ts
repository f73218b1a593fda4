import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.js';
import { FAMILIES, type Family, type ModelConfig } from './config.js';
import { checkMemory, estimateMemory, WASM_HEAP_LIMIT_BYTES } from './memory.js';
import { DiffusionTransformer } from './model.js';

function config(family: Family, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    family, hiddenSize: 64, depth: 4, heads: 4, mlpRatio: 4, patchSize: 2, frames: family === 'dit' ? 1 : 4,
    height: 16, width: 16, channels: 4, textWidth: 32, textLayers: 1, textHeads: 2, textLength: 8,
    vocabulary: ['<pad>', '<unk>', 'cat'], prediction: 'epsilon', timestepFrequencies: 64, ...overrides,
  };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe.each(FAMILIES)('the memory estimate of a %s model', (family) => {
  test('covers the measured peak of a guided forward pass, and by less than 2x', () => {
    const cfg = config(family);
    const model = new DiffusionTransformer(cfg, { seed: 1, zeroInit: false });
    const text = model.encodeCaptions(['cat', '']);
    const x = tf.randomNormal([2, cfg.frames, cfg.height, cfg.width, cfg.channels]);
    const t = tf.tensor1d([10, 10]);
    // tf.profile's peak counts every tensor alive while the forward runs: subtract what was alive before.
    const before = tf.memory().numBytes;
    return tf.profile(() => { model.forward(x, t, text).dispose(); }).then((info) => {
      const estimate = estimateMemory(cfg, 2);
      const measured = info.peakBytes - before;
      expect(estimate.activationBytes).toBeGreaterThanOrEqual(measured);
      expect(estimate.activationBytes).toBeLessThan(2 * measured);
      let held = 0;
      for (const v of model.params.variables.values()) held += v.size * 4;
      expect(estimate.parameterBytes).toBe(held);
      tf.dispose([text, x, t]);
      model.dispose();
    });
  });
});

test('a model too large for the wasm heap is refused up front, naming the need and the limit', () => {
  const xl = config('dit', { hiddenSize: 1152, depth: 28, heads: 16, height: 128, width: 128, textWidth: 1152 });
  expect(() => checkMemory(xl, 'wasm')).toThrow(/needs about \d+\.\d+ GiB .* backend wasm holds at most 4\.00 GiB/);
  expect(estimateMemory(xl).totalBytes).toBeGreaterThan(WASM_HEAP_LIMIT_BYTES);
  expect(checkMemory(config('dit'), 'wasm').totalBytes).toBeLessThan(WASM_HEAP_LIMIT_BYTES);
});
