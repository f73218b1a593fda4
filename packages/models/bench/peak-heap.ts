// Peak wasm heap of one forward of an stdit of width 384, depth 12 (the block stack freed block by block, as
// the model runs it, or held in one tidy as before: --whole-stack), and tfjs's own peak of tracked bytes.
//   tsx packages/models/bench/peak-heap.ts TOKENS [BATCH] [--whole-stack]
// One run per process: the wasm heap only grows, so its size after the forward is the run's peak.
import * as tf from '@tensorflow/tfjs';
import { DiffusionTransformer, blockStep, estimateMemory, selectBackend, type ModelConfig } from '../src/index.js';

const tokens = Number(process.argv[2] ?? 4096);
const batch = Number(process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 1);
const whole = process.argv.includes('--whole-stack');
// A 16×16 patch grid per frame (32×32 latents, patch 2) and as many frames as the token count needs.
const side = 32;
const frames = tokens / 256;
if (!Number.isInteger(frames) || frames < 2) throw new Error('TOKENS must be a multiple of 256 and at least 512');
const cfg: ModelConfig = {
  family: 'stdit', hiddenSize: 384, depth: 12, heads: 6, mlpRatio: 4, patchSize: 2, frames, height: side, width: side, channels: 4,
  textWidth: 64, textLayers: 1, textHeads: 2, textLength: 8, vocabulary: ['<pad>', '<unk>', 'a'], prediction: 'velocity', timestepFrequencies: 256,
};
await selectBackend('wasm');
const heap = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length);
const model = new DiffusionTransformer(cfg, { seed: 0, zeroInit: false });
const x = tf.randomNormal([batch, frames, side, side, 4]);
const t = tf.tensor1d(new Array(batch).fill(500));
const text = model.encodeCaptions(new Array(batch).fill('a'));
const before = heap();
const start = performance.now();
// The stack as one tidy over every block: what `blocks` did before it freed each block's intermediates.
const stackWhole = (e: ReturnType<DiffusionTransformer['embed']>) => tf.tidy(() => {
  let h: tf.Tensor = e.tokens;
  for (let i = 0; i < cfg.depth; i++) h = blockStep(model.ops, cfg, model.plan, i, h, e.condition, e.text, undefined, e.modulated);
  return h as tf.Tensor3D;
});
let ok = true;
let message = '';
const info = await tf.profile(() => {
  try {
    const y = tf.tidy(() => {
      const e = model.embed(x, t, text);
      return model.head(whole ? stackWhole(e) : model.stack(e), e);
    });
    y.dataSync();
    y.dispose();
  } catch (err) {
    ok = false;
    message = (err as Error).message.split('\n')[0];
  }
}).catch((err: Error) => { ok = false; message = err.message; return { peakBytes: NaN }; });
const gib = (b: number) => (b / 1024 ** 3).toFixed(2);
console.log(`stdit 384x12, ${batch}x${tokens} tokens, ${whole ? 'whole stack in one tidy (before)' : 'block by block (after)'}: `
  + `${ok ? 'ran' : `FAILED (${message})`} in ${((performance.now() - start) / 1000).toFixed(1)} s; wasm heap ${gib(before)} -> ${gib(heap())} GiB; `
  + `tfjs peak tracked ${gib(info.peakBytes)} GiB; estimate ${gib(estimateMemory(cfg, batch).totalBytes)} GiB`);
