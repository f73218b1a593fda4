// Resident memory of a converted model on the onnx engine after the stack alone, then after a first-block cache's two
// ranges ([0, 1) and [1, depth)) also ran: with shared graph boundaries the second figure stays near the first.
//   tsx packages/models/bench/first-block-graphs.ts MODEL_DIR
import * as tf from '@tensorflow/tfjs';
import { loadModel, OnnxTransformer, selectCompute } from '../src/index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: first-block-graphs.ts MODEL_DIR (a converted model directory)');
const compute = await selectCompute('wasm', 'onnx');
if (compute.engine.name !== 'onnx') throw new Error(`the onnx engine did not load: ${compute.engine.name}`);
const { model, config } = loadModel(dir, { engine: 'onnx' });
const onnx = new OnnxTransformer(model, { providers: compute.engine.providers, threads: compute.engine.threads });
const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
const rss = () => gib(process.memoryUsage().rss);
const x = tf.randomNormal([2, config.frames, config.height, config.width, config.channels], 0, 1, 'float32', 1);
const t = tf.tensor1d([500, 500]);
const text = config.numClasses !== undefined ? model.encodeLabels([207, config.numClasses]) : model.encodeCaptions(['', '']);
const e = onnx.embed(x, t, text);
let start = performance.now();
onnx.stack(e);
console.log(`stack: graphs ${onnx.builtGraphs().filter((k) => k.startsWith('blocks')).join(', ')}; ${((performance.now() - start) / 1000).toFixed(1)} s with building; resident ${rss()}`);
start = performance.now();
onnx.blocks(onnx.blocks(e.tokens, e, 0, 1), e, 1);
console.log(`first-block ranges too: graphs ${onnx.builtGraphs().filter((k) => k.startsWith('blocks')).join(', ')}; ${((performance.now() - start) / 1000).toFixed(1)} s; resident ${rss()}; peak ${gib(process.resourceUsage().maxRSS * 1024)}`);
