// Both engines in one run, in CPU time beside wall time (the machine is shared: wall time alone has shown
// impossible figures). Per family, a width-384, depth-12 model's forward (both guidance branches batched) on
// tfjs (the selected backend) and on ONNX Runtime with one intra-op thread, against the single-core GEMM rate of
// OpenBLAS-class code measured in the same run: numpy's matmul at 1024³ through /usr/bin/python3 with one BLAS
// thread, and ONNX Runtime's own MatMul at 1024³. Goals (issue 16): onnx forward >= 5x tfjs and >= 40% of that rate.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import {
  BUILTIN_MODELS, DiffusionTransformer, OnnxTransformer, describeBackend, forwardFlops, selectBackend, type ModelConfig,
} from '../src/index.js';
import { GraphBuilder } from '../src/onnx/graph.js';
import { OnnxOps } from '../src/onnx/onnx-ops.js';
import { OrtSession } from '../src/onnx/runtime.js';

interface Timing { wall: number; cpu: number; runs: number }

/** Seconds per call, wall and CPU (user + system of this process, all threads), over at least minSeconds of CPU. */
function timeIt(fn: () => void, minSeconds: number, minRuns = 2): Timing {
  fn();
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  let runs = 0;
  let cpu = 0;
  while (cpu < minSeconds || runs < minRuns) {
    fn();
    runs++;
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1e6;
  }
  return { wall: (performance.now() - w0) / 1000 / runs, cpu: cpu / runs, runs };
}

function numpyGemm(): { wall: number; cpu: number } | string {
  const code = [
    'import numpy as np, time',
    'a = np.random.rand(1024, 1024).astype(np.float32); b = np.random.rand(1024, 1024).astype(np.float32); a @ b',
    'n = 0; w = time.perf_counter(); c = time.process_time()',
    'while time.process_time() - c < 2 or n < 5: a @ b; n += 1',
    'f = 2 * 1024 ** 3 * n; print(f / (time.perf_counter() - w) / 1e9, f / (time.process_time() - c) / 1e9)',
  ].join('\n');
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8', env, timeout: 120000 });
  if (r.status !== 0) return `numpy not measured: ${(r.stderr || r.error?.message || '').split('\n').filter(Boolean).pop()}`;
  const [wall, cpu] = r.stdout.trim().split(/\s+/).map(Number);
  return { wall, cpu };
}

function ortGemm(): { wall: number; cpu: number } {
  const g = new GraphBuilder('gemm');
  const o = new OnnxOps(g, () => ({ shape: [1024, 1024], values: Float32Array.from({ length: 1024 * 1024 }, () => Math.random()) }));
  g.output('y', o.matMul(g.input('a', [1024, 1024], false), o.param('b')), false);
  const s = new OrtSession(g.encode(), { providers: ['cpu'], threads: 1 });
  const a = { data: Float32Array.from({ length: 1024 * 1024 }, () => Math.random()), dims: [1024, 1024] };
  const t = timeIt(() => s.run({ a }), 2, 5);
  s.dispose();
  const f = 2 * 1024 ** 3;
  return { wall: f / t.wall / 1e9, cpu: f / t.cpu / 1e9 };
}

const choice = await selectBackend();
console.log(describeBackend(choice) + '; onnx: ONNX Runtime (onnxruntime-node), CPU provider, 1 intra-op thread');
const np = numpyGemm();
const ort = ortGemm();
console.log(typeof np === 'string' ? np : `numpy (OpenBLAS-class) matmul 1024³, 1 thread: ${np.cpu.toFixed(1)} GFLOP/s per CPU-second (${np.wall.toFixed(1)} wall)`);
console.log(`ONNX Runtime MatMul 1024³, 1 thread:          ${ort.cpu.toFixed(1)} GFLOP/s per CPU-second (${ort.wall.toFixed(1)} wall)`);
const peak = typeof np === 'string' ? ort.cpu : Math.max(np.cpu, ort.cpu);
console.log(`single-core GEMM rate used as the peak: ${peak.toFixed(1)} GFLOP/s (CPU time)\n`);

const header = 'family  tfjs ms cpu (wall)   onnx ms cpu (wall)   onnx/tfjs cpu (wall)   tfjs GFLOP/s  onnx GFLOP/s  onnx % of peak  max |diff|';
console.log(header);
const minSeconds = Number(process.env.BENCH_SECONDS ?? 3);
for (const b of BUILTIN_MODELS) {
  const config: ModelConfig = {
    ...b.config, hiddenSize: 384, depth: 12, heads: 6, mlpRatio: 4, patchSize: 2,
    ...(b.family === 'dit' ? { frames: 1, height: 32, width: 32 } : { frames: 4, height: 16, width: 16 }),
  };
  const batch = 2;
  const m = new DiffusionTransformer(config, { seed: 0, zeroInit: false });
  const onnx = new OnnxTransformer(m, { providers: ['cpu'], threads: 1 });
  onnx.build();
  const x = tf.randomNormal([batch, config.frames, config.height, config.width, config.channels]);
  const t = tf.tensor1d([500, 500]);
  const text = m.encodeCaptions([`${config.vocabulary[2]}`, '']);
  const forward = (model: DiffusionTransformer | OnnxTransformer) => () => {
    const y = tf.tidy(() => {
      const e = model.embed(x, t, text);
      const h = model.stack(e);
      const out = model.head(h, e);
      tf.dispose([h, ...Object.values(e)]);
      return out;
    });
    y.dataSync();
    y.dispose();
  };
  const diff = tf.tidy(() => {
    const a = m.forward(x, t, text);
    const e = onnx.embed(x, t, text);
    return tf.max(tf.abs(tf.sub(a, onnx.head(onnx.stack(e), e)))).dataSync()[0];
  });
  const ft = timeIt(forward(m), minSeconds);
  const fo = timeIt(forward(onnx), minSeconds);
  const flops = forwardFlops(config, batch);
  const gTf = flops / ft.cpu / 1e9;
  const gOnnx = flops / fo.cpu / 1e9;
  const ms = (s: number) => (s * 1000).toFixed(0);
  console.log(`${b.family.padEnd(7)} ${`${ms(ft.cpu)} (${ms(ft.wall)})`.padStart(18)}   ${`${ms(fo.cpu)} (${ms(fo.wall)})`.padStart(18)}   ` +
    `${`${(ft.cpu / fo.cpu).toFixed(1)}x (${(ft.wall / fo.wall).toFixed(1)}x)`.padStart(20)}   ${gTf.toFixed(1).padStart(11)}  ${gOnnx.toFixed(1).padStart(12)}  ` +
    `${(100 * gOnnx / peak).toFixed(0).padStart(13)}%  ${diff.toExponential(1)}`);
  tf.dispose([x, t, text]);
  onnx.dispose();
  m.dispose();
}
console.log(`\nforward = embed + 12 blocks + head, batch 2, ${(forwardFlops({ ...BUILTIN_MODELS[0].config, hiddenSize: 384, depth: 12, heads: 6, mlpRatio: 4, patchSize: 2, height: 32, width: 32 }, 2) / 1e9).toFixed(1)} GFLOP (dit); GEMM FLOPs only (forwardFlops)`);
