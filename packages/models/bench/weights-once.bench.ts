// Resident memory of a model on the onnx engine, loaded in full on tfjs (each transformer weight then lives twice:
// in tfjs and in the ONNX Runtime sessions) and loaded text side only (ONNX Runtime reads the transformer weights
// from the file: held once). Each case runs in its own process; RSS after the sessions are built and one forward ran.
// The model is a width-384, depth-12 stdit (as engines.bench.ts), saved to a temporary directory first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { BUILTIN_MODELS, DiffusionTransformer, OnnxTransformer, loadModel, saveModel, selectBackend, type ModelConfig } from '../src/index.js';

const mode = process.argv[2];
if (mode === 'full' || mode === 'text-side') {
  await selectBackend();
  const loaded = loadModel(process.argv[3], { engine: mode === 'text-side' ? 'onnx' : 'tfjs' });
  const onnx = new OnnxTransformer(loaded.model, { providers: ['cpu'], threads: 1 });
  onnx.build();
  const c = loaded.config;
  tf.tidy(() => {
    const e = onnx.embed(tf.zeros([2, c.frames, c.height, c.width, c.channels]), tf.tensor1d([1, 500]), onnx.encodeCaptions(['', '']));
    onnx.head(onnx.stack(e), e).dataSync();
  });
  console.log(JSON.stringify({ rss: process.memoryUsage().rss, params: loaded.model.params.count() }));
} else {
  const base = BUILTIN_MODELS.find((b) => b.family === 'stdit')!.config;
  const config: ModelConfig = { ...base, hiddenSize: 384, depth: 12, heads: 6, mlpRatio: 4, patchSize: 2, frames: 4, height: 16, width: 16 };
  const dir = mkdtempSync(join(tmpdir(), 'weights-once-'));
  try {
    await selectBackend();
    const m = new DiffusionTransformer(config, { seed: 0, zeroInit: false });
    saveModel(dir, m);
    m.dispose();
    const self = fileURLToPath(import.meta.url);
    const rss = (which: string) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, which, dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`weights-once bench (${which}) failed: ${r.stderr.split('\n').filter(Boolean).slice(-3).join(' ')}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { rss: number; params: number };
    };
    const full = rss('full');
    const part = rss('text-side');
    const mb = (b: number) => (b / 2 ** 20).toFixed(0);
    console.log(`onnx engine, stdit w384 d12 (${(full.params / 1e6).toFixed(1)} M parameters, ${mb(full.params * 4)} MB as float32):`);
    console.log(`  RSS, weights loaded on tfjs too: ${mb(full.rss)} MB; text side only on tfjs: ${mb(part.rss)} MB; saved ${mb(full.rss - part.rss)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
