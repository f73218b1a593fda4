import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.js';
import type { ModelConfig } from './config.js';
import { estimateMemory } from './memory.js';
import { DiffusionTransformer } from './model.js';

// Its own file: the wasm heap only grows, so its growth is read in a fresh module instance.
test('on wasm the first forward grows the heap by about a second copy of the weights, which the wasm estimate counts', async () => {
  await selectBackend('wasm');
  const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  const cfg: ModelConfig = {
    family: 'dit', hiddenSize: 512, depth: 8, heads: 8, mlpRatio: 4, patchSize: 2, frames: 1, height: 16, width: 16, channels: 4,
    textWidth: 1, textLayers: 1, textHeads: 1, textLength: 1, vocabulary: [], prediction: 'epsilon', timestepFrequencies: 256, numClasses: 10,
  };
  const model = new DiffusionTransformer(cfg, { seed: 0, zeroInit: false });
  const afterLoad = heap();
  tf.tidy(() => model.forward(tf.randomNormal([2, 1, 16, 16, 4]), tf.tensor1d([500, 500]), model.encodeLabels([1, 10])).dataSync());
  const growth = heap() - afterLoad;
  const wasm = estimateMemory(cfg, 2, 'wasm');
  // Emscripten grows the heap in steps of up to 96 MiB beyond the request.
  const slack = 96 * 2 ** 20;
  expect(growth).toBeGreaterThan(0.8 * wasm.packedWeightBytes);
  expect(wasm.packedWeightBytes + wasm.activationBytes + slack).toBeGreaterThanOrEqual(growth);
  expect(estimateMemory(cfg, 2, 'tensorflow').packedWeightBytes).toBe(0);
  model.dispose();
});
