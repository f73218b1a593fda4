import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { disposeEmbed } from '../model.js';
import { loadModel } from '../weights/model-io.js';
import { readSafetensors } from '../weights/safetensors.js';
import { convertCheckpoint } from './convert.js';

// Fixtures made by scripts/upstream_fixtures.py running the upstream code (DiT ed81ce2, Latte b27c24a with diffusers 0.24.0).
const FIXTURES = join(import.meta.dirname, 'fixtures');
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'convert-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function reference(name: string): Map<string, tf.Tensor> {
  const { tensors } = readSafetensors(join(FIXTURES, name));
  return new Map([...tensors].map(([k, t]) => [k, tf.tensor(t.data, t.shape)]));
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('converting facebookresearch/DiT', () => {
  test('the converted model equals the upstream forward within 1e-4, learned sigma included', () => {
    const out = join(dir, 'dit');
    const result = convertCheckpoint({ from: 'dit', checkpoint: join(FIXTURES, 'dit-checkpoint.safetensors'), out, options: { heads: 2 } });
    expect(result.naming).toBe('original');
    expect(result.config).toMatchObject({ hiddenSize: 32, depth: 2, height: 8, width: 8, channels: 4, numClasses: 10, learnSigma: true, timestepFrequencies: 256 });
    expect(result.ignored.map((i) => i.name)).toEqual(['pos_embed']);
    const { model } = loadModel(out);
    const ref = reference('dit-reference.safetensors');
    tf.tidy(() => {
      const x = ref.get('x')!.transpose([0, 2, 3, 1]).expandDims(1); // NCHW → [B, F=1, H, W, C]
      const labels = Array.from(ref.get('y')!.dataSync());
      const e = model.embed(x, ref.get('t')! as tf.Tensor1D, model.encodeLabels(labels));
      expect(maxAbsDiff(e.modulated, ref.get('modulated')!)).toBeLessThan(1e-4);
      const full = model.headWithVariance(model.stack(e), e).squeeze([1]).transpose([0, 3, 1, 2]);
      expect(maxAbsDiff(full, ref.get('output')!)).toBeLessThan(1e-4);
      // The reference output is not trivially small: the comparison has something to compare.
      expect(tf.max(tf.abs(ref.get('output')!)).dataSync()[0]).toBeGreaterThan(0.1);
      const prediction = model.head(model.stack(e), e);
      expect(prediction.shape).toEqual([2, 1, 8, 8, 4]);
      disposeEmbed(e);
    });
    model.dispose();
    tf.dispose([...ref.values()]);
  });
});

describe('converting Latte-1 (LatteT2V)', () => {
  test('the converted model equals the upstream forward within 1e-4, caption projection and temporal blocks included', () => {
    const out = join(dir, 'latte');
    const result = convertCheckpoint({
      from: 'latte-1', checkpoint: join(FIXTURES, 'latte-checkpoint.safetensors'), out,
      options: { heads: 2, frames: 4, height: 8, textLength: 5 },
    });
    expect(result.config).toMatchObject({ family: 'latte', hiddenSize: 32, depth: 4, textWidth: 24, learnSigma: true, captionProjection: true, textEncoder: 'external' });
    expect(result.ignored.map((i) => i.name)).toEqual(['caption_projection.y_embedding']);
    const { model } = loadModel(out);
    const ref = reference('latte-reference.safetensors');
    tf.tidy(() => {
      const x = ref.get('x')!.transpose([0, 2, 3, 4, 1]); // b c f h w → [B, F, H, W, C]
      const e = model.embed(x, ref.get('t')! as tf.Tensor1D, ref.get('text')! as tf.Tensor3D);
      // Upstream's spatial blocks see (b f) t d; the toolkit's tokens are [B, F·T, D] in the same order.
      expect(maxAbsDiff(e.modulated, ref.get('modulated')!.reshape(e.modulated.shape))).toBeLessThan(1e-4);
      const full = model.headWithVariance(model.stack(e), e).transpose([0, 4, 1, 2, 3]);
      expect(maxAbsDiff(full, ref.get('output')!)).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(ref.get('output')!)).dataSync()[0]).toBeGreaterThan(0.1);
      disposeEmbed(e);
    });
    model.dispose();
    tf.dispose([...ref.values()]);
  });
});
