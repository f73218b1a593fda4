// Open-Sora sources: (1) the parity of the converted fixtures with the upstream outputs (max abs difference of
// the forward and of the first block's modulated input; the tests require < 1e-4), (2) the forward time of an
// osp model with Skiparse as a ratio of the same model with dense attention (same run, same backend).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiffusionTransformer, convertCheckpoint, describeBackend, loadModel, readSafetensors, selectBackend, validateConfig } from '../src/index.js';

const choice = await selectBackend();
console.log(describeBackend(choice));
const fixtures = join(import.meta.dirname, '..', 'src', 'convert', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-'));
const sources = [
  { from: 'opensora-1.2', options: { frames: 3, height: 4, width: 6, fps: 24 }, channels: 4 },
  { from: 'opensora-plan-1.3', options: { frames: 3, height: 6, width: 10, heads: 2, textLength: 5 }, channels: 4 },
];
for (const s of sources) {
  const io = readSafetensors(join(fixtures, s.from, 'io.safetensors')).tensors;
  const t = (n: string) => tf.tensor(io.get(n)!.data, io.get(n)!.shape);
  convertCheckpoint({ from: s.from, checkpoint: join(fixtures, s.from, 'checkpoint.safetensors'), out: join(dir, s.from), options: s.options });
  const { model } = loadModel(join(dir, s.from));
  const e = model.embed(t('x').transpose([0, 2, 3, 4, 1]), t('timestep') as tf.Tensor1D, t('y').squeeze([1]) as tf.Tensor3D);
  const out = model.head(model.stack(e), e);
  const ref = t('output').slice([0, 0], [-1, s.channels]).transpose([0, 2, 3, 4, 1]);
  const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0].toExponential(2);
  console.log(`${s.from.padEnd(18)} forward max|diff| ${diff(out, ref)} (max|reference| ${tf.max(tf.abs(ref)).dataSync()[0].toFixed(2)}), `
    + `first modulated input max|diff| ${diff(e.modulated, t('modulated'))}`);
  model.dispose();
}
rmSync(dir, { recursive: true, force: true });

function timeIt(fn: () => void, minSeconds = 2): number {
  fn();
  let n = 0;
  const start = performance.now();
  while ((performance.now() - start) / 1000 < minSeconds || n < 3) { fn(); n++; }
  return (performance.now() - start) / 1000 / n;
}
// 4 frames of 32×32 latents, patch 2: 1024 tokens; every block Skiparse k = 4 versus every block dense.
const base = {
  family: 'osp', hiddenSize: 192, depth: 4, heads: 2, mlpRatio: 4, patchSize: 2, frames: 4, height: 32, width: 32, channels: 4,
  textWidth: 64, textLayers: 1, textHeads: 1, textLength: 8, vocabulary: [], textEncoder: 'external', captionProjection: true,
  prediction: 'v', timestepFrequencies: 256, rope3d: true, spatialPositionEmbedding: 'none', temporalPositionEmbedding: false,
};
const x = tf.randomNormal([2, 4, 32, 32, 4]);
const time = tf.tensor1d([500, 500]);
const text = tf.randomNormal([2, 8, 64]) as tf.Tensor3D;
const times: Record<string, number> = {};
for (const [name, extra] of [['dense', {}], ['skiparse k=4', { skiparse: 4, skiparseBlocks: [0, 4] }]] as const) {
  const m = new DiffusionTransformer(validateConfig({ ...base, ...extra }), { seed: 0, zeroInit: false });
  times[name] = timeIt(() => { const y = m.forward(x, time, text); y.dataSync(); y.dispose(); });
  m.dispose();
}
console.log(`osp 1024 tokens, width 192, depth 4, batch 2: dense ${(times.dense * 1000).toFixed(1)} ms, Skiparse k=4 ${(times['skiparse k=4'] * 1000).toFixed(1)} ms, `
  + `Skiparse / dense = ${(times['skiparse k=4'] / times.dense).toFixed(2)}`);
