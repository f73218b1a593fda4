import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicy } from '@teacache/cache';
import { SeededRandom, convertCheckpoint, loadModel, readSafetensors, selectBackend, type Conditioning, type DiffusionTransformer } from '@teacache/models';
import { sampleRun } from './sample-loop.js';

// A checkpoint the upstream Open-Sora 1.2 code made (packages/models/src/convert/fixtures/opensora-1.2), converted,
// given text-encoder outputs and sampled by the toolkit's loop.
const FIXTURES = join(import.meta.dirname, '..', '..', 'models', 'src', 'convert', 'fixtures', 'opensora-1.2');
let dir: string;
let model: DiffusionTransformer;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'sample-converted-'));
  const out = join(dir, 'os12');
  convertCheckpoint({ from: 'opensora-1.2', checkpoint: join(FIXTURES, 'checkpoint.safetensors'), out, options: { frames: 3, height: 4, width: 6 } });
  model = loadModel(out).model;
  const io = readSafetensors(join(FIXTURES, 'io.safetensors')).tensors;
  const [l, w] = [6, 16];
  const conditioning: Conditioning = {
    prompts: ['a cat'], length: l, width: w, embeddings: io.get('y')!.data.slice(0, l * w), mask: io.get('text_mask')!.data.slice(0, l),
    nullEmbedding: new Float32Array(l * w), nullMask: new Float32Array(l).fill(1),
  };
  model.useConditioning(conditioning);
});
afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('sampling a converted Open-Sora 1.2 model', () => {
  test("ends where Open-Sora 1.2's sampling algorithm, written out here on the model's forward, ends", () => {
    const steps = 4;
    const guidance = 7;
    const got = sampleRun({ model, caption: 'a cat', seed: 9, steps, guidance });
    expect(got.space).toBe('latents');
    // RFLOW.sample: t_i = (1 − i/N)·1000 transformed by r·t/(1 + (r − 1)·t), z += v·(t_i − t_{i+1})/1000 (last to 0),
    // v = v_null + s·(v_cond − v_null) with the learned null caption under the conditional caption's mask.
    const r = model.config.timeShift!;
    const ts = Array.from({ length: steps }, (_, i) => { const t = 1 - i / steps; return (r * t) / (1 + (r - 1) * t); });
    const cfg = model.config;
    const shape = [1, cfg.frames, cfg.height, cfg.width, cfg.channels];
    let z = tf.tensor(new SeededRandom(9).normals(shape.reduce((a, b) => a * b, 1)), shape);
    const text = model.encodeCaptions(['a cat', '']);
    const bias = model.captionBias(['a cat', ''])!;
    for (let i = 0; i < steps; i++) {
      const next = tf.tidy(() => {
        const v = model.forward(tf.concat([z, z]), tf.tensor1d([ts[i] * 1000, ts[i] * 1000]), text, bias);
        const [cond, nul] = tf.split(v, 2);
        const guided = tf.add(nul, tf.mul(tf.sub(cond, nul), guidance));
        return tf.add(z, tf.mul(guided, ts[i] - (i + 1 < steps ? ts[i + 1] : 0)));
      });
      z.dispose();
      z = next;
    }
    const want = z.dataSync();
    let worst = 0;
    got.video.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - want[k])); });
    expect(worst).toBeLessThan(1e-4);
    expect(got.timesteps.map((t) => +t.toFixed(3))).toEqual(ts.map((t) => +(t * 1000).toFixed(3)));
  });

  test('TeaCache skips steps of it and the sample stays finite', () => {
    const full = sampleRun({ model, caption: 'a cat', seed: 9, steps: 10, guidance: 7 });
    const cached = sampleRun({ model, caption: 'a cat', seed: 9, steps: 10, guidance: 7, policy: createPolicy({ policy: 'teacache', threshold: 0.3, indicator: 'modulated' }) });
    expect(cached.computedSteps).toBeLessThan(10);
    expect(cached.video.every(Number.isFinite)).toBe(true);
    expect(full.video.every(Number.isFinite)).toBe(true);
  });
});
