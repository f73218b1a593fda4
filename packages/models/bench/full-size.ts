// Load a converted model directory (e.g. a DiT-XL/2) with its parameters held once, then run one guided forward
// (batch 2) or show the up-front refusal; prints resident memory after loading and at peak.
//   tsx packages/models/bench/full-size.ts MODEL_DIR [wasm|tensorflow|cpu] [--load-only]
import * as tf from '@tensorflow/tfjs';
import { estimateMemory, loadModel, selectBackend, type BackendRequest } from '../src/index.js';

const dir = process.argv[2];
const backend = (process.argv[3] ?? 'wasm') as BackendRequest;
const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
const choice = await selectBackend(backend);
const rss0 = process.memoryUsage().rss;
let start = performance.now();
let loaded: ReturnType<typeof loadModel>;
try {
  loaded = loadModel(dir);
} catch (err) {
  console.log(`${choice.name}: refused before allocating: ${(err as Error).message}; peak resident ${gib(process.resourceUsage().maxRSS * 1024)}`);
  process.exit(0);
}
const { model, config } = loaded;
const params = model.params.count();
const e = estimateMemory(config, 2, choice.name);
console.log(`${choice.name}: loaded ${dir}: ${(params / 1e6).toFixed(1)}M parameters (${gib(params * 4)} as float32) in ${((performance.now() - start) / 1000).toFixed(1)} s; `
  + `tfjs holds ${gib(tf.memory().numBytes)}; resident ${gib(rss0)} -> ${gib(process.memoryUsage().rss)} (peak ${gib(process.resourceUsage().maxRSS * 1024)}); estimate for a guided forward ${gib(e.totalBytes)}`);
if (process.argv.includes('--load-only')) process.exit(0);
start = performance.now();
const y = tf.tidy(() => {
  const x = tf.randomNormal([2, config.frames, config.height, config.width, config.channels], 0, 1, 'float32', 1);
  const labels = config.numClasses !== undefined ? model.encodeLabels([207, config.numClasses]) : model.encodeCaptions(['', '']);
  return model.forward(x, tf.tensor1d([500, 500]), labels);
});
const values = y.dataSync();
console.log(`forward (batch 2) ${y.shape.join('x')} in ${((performance.now() - start) / 1000).toFixed(1)} s, finite: ${values.every(Number.isFinite)}; `
  + `peak resident ${gib(process.resourceUsage().maxRSS * 1024)}`);
