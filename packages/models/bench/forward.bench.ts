// Per family: forward time of the built-in model with both guidance branches batched, achieved GFLOP/s,
// and that as a ratio of the same backend's matMul GFLOP/s at the model's largest GEMM shape (same run).
import * as tf from '@tensorflow/tfjs';
import { BUILTIN_MODELS, DiffusionTransformer, describeBackend, forwardFlops, largestGemm, selectBackend } from '../src/index.js';

function timeIt(fn: () => void, minSeconds = 1.5): number {
  fn();
  let n = 0;
  const start = performance.now();
  while ((performance.now() - start) / 1000 < minSeconds || n < 3) {
    fn();
    n++;
  }
  return (performance.now() - start) / 1000 / n;
}

const choice = await selectBackend();
console.log(describeBackend(choice));
console.log('family  model        forward(ms)  GFLOP/s  matMul GFLOP/s @ largest GEMM  ratio');
// The built-in models are tiny (overhead-bound); the same families at a GEMM-bound size show the kernels' share.
const larger = BUILTIN_MODELS.map((b) => ({
  ...b, name: b.name.replace('tiny', 'base'),
  config: { ...b.config, hiddenSize: 256, depth: 8, heads: 8, mlpRatio: 4, ...(b.family === 'dit' ? { height: 32, width: 32 } : { height: 32, width: 32 }) },
}));
for (const b of [...BUILTIN_MODELS, ...larger]) {
  const batch = 2;
  const m = new DiffusionTransformer(b.config, { seed: 0, zeroInit: false });
  const c = b.config;
  const x = tf.randomNormal([batch, c.frames, c.height, c.width, c.channels]);
  const t = tf.tensor1d([500, 500]);
  const text = m.encodeCaptions([`${c.vocabulary[2]}`, '']);
  const forward = timeIt(() => { const y = m.forward(x, t, text); y.dataSync(); y.dispose(); });
  const g = largestGemm(c, batch);
  const a = tf.randomNormal([g.m, g.k]);
  const w = tf.randomNormal([g.k, g.n]);
  const mm = timeIt(() => { const y = tf.matMul(a, w); y.dataSync(); y.dispose(); });
  const achieved = forwardFlops(c, batch) / forward / 1e9;
  const peak = (2 * g.m * g.k * g.n) / mm / 1e9;
  console.log(`${b.family.padEnd(7)} ${b.name.padEnd(12)} ${(forward * 1000).toFixed(2).padStart(10)}  ${achieved.toFixed(2).padStart(7)}  ` +
    `${peak.toFixed(2).padStart(8)} @ ${g.m}x${g.k}x${g.n}`.padEnd(30) + `  ${(100 * achieved / peak).toFixed(1)}%`);
  tf.dispose([x, t, text, a, w]);
  m.dispose();
}
