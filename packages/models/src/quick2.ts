import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.js';
import { DiffusionTransformer } from './model.js';
import type { ModelConfig } from './config.js';
await selectBackend('wasm');
const base = { hiddenSize: 64, depth: 4, heads: 4, mlpRatio: 3, patchSize: 4, frames: 8, height: 16, width: 16, channels: 3,
  textWidth: 32, textLayers: 1, textHeads: 2, textLength: 6, vocabulary: ['<pad>','<unk>','cat','left'], prediction: 'epsilon', timestepFrequencies: 64 } as const;
const runs: [string, number, number, number][] = [['dit',2,1,32],['stdit',4,8,16],['latte',4,8,16],['osp',4,8,16],['stdit',4,4,16],['osp',4,4,16]];
for (const [family, ps, frames, B] of runs) {
  const cfg = { ...base, family, frames, patchSize: ps, vocabulary: [...base.vocabulary] } as ModelConfig;
  const m = new DiffusionTransformer(cfg, { seed: 1, zeroInit: false });
  const x = tf.randomNormal([B, cfg.frames, 16, 16, 3]);
  const t = tf.fill([B], 500) as tf.Tensor1D;
  const caps = Array.from({length: B}, () => 'cat left');
  const opt = tf.train.adam(1e-3);
  opt.minimize(() => tf.mean(tf.square(m.forward(x, t, m.encodeCaptions(caps)))));
  const t1 = performance.now();
  for (let i = 0; i < 3; i++) { const l = opt.minimize(() => tf.mean(tf.square(m.forward(x, t, m.encodeCaptions(caps)))), true); l!.dataSync(); l!.dispose(); }
  const tr = (performance.now() - t1) / 3;
  const t2 = performance.now();
  for (let i = 0; i < 3; i++) { const y = m.forward(x, t, m.encodeCaptions(caps)); y.dataSync(); y.dispose(); }
  const fw = (performance.now() - t2) / 3;
  console.log(family, 'p', ps, 'F', frames, 'B', B, 'params', m.params.count(), 'train', tr.toFixed(0), 'ms', (tr/B).toFixed(1), 'ms/sample; fwd', fw.toFixed(0), 'ms');
  m.dispose(); tf.dispose([x,t]);
}
