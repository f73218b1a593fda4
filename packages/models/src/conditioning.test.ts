import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from './backend.js';
import type { ModelConfig } from './config.js';
import { conditioningOf, readConditioning, writeConditioning, type Conditioning } from './conditioning.js';
import { DiffusionTransformer } from './model.js';
import { writeSafetensors } from './weights/safetensors.js';

const L = 4;
const W = 6;
const cfg = (textLength = L): ModelConfig => ({
  family: 'latte', hiddenSize: 16, depth: 2, heads: 2, mlpRatio: 2, patchSize: 2, frames: 2, height: 4, width: 4, channels: 3,
  textWidth: W, textLayers: 1, textHeads: 1, textLength, vocabulary: [], prediction: 'epsilon', timestepFrequencies: 16,
  textEncoder: 'external', captionProjection: true,
});

function sample(prompts: string[], keep: number[]): Conditioning {
  const e = new Float32Array(prompts.length * L * W).map((_, i) => Math.sin(i * 0.7));
  const mask = new Float32Array(prompts.length * L).map((_, i) => (i % L < keep[Math.floor(i / L)] ? 1 : 0));
  return { prompts, length: L, width: W, embeddings: e, mask, nullEmbedding: new Float32Array(L * W).fill(0.1), nullMask: Float32Array.of(1, 0, 0, 0), encoder: 'test' };
}

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'conditioning-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a conditioning file reads back as written, and captions find their rows', () => {
  const path = join(dir, 'c.safetensors');
  const c = sample(['a red fox', 'the sea'], [2, 4]);
  writeConditioning(path, c);
  const back = readConditioning(path, cfg());
  expect(back.prompts).toEqual(['a red fox', 'the sea']);
  expect(back.encoder).toBe('test');
  expect(Array.from(conditioningOf(back, 'the sea').embedding)).toEqual(Array.from(c.embeddings.subarray(L * W)));
  expect(Array.from(conditioningOf(back, '').mask)).toEqual([1, 0, 0, 0]);
  expect(() => conditioningOf(back, 'a cat')).toThrow('the caption "a cat" among its 2 prompts');
});

test('bad conditioning files name the field and what was expected', () => {
  const path = join(dir, 'bad.safetensors');
  const c = sample(['a', 'b'], [1, 1]);
  writeConditioning(path, c);
  expect(() => readConditioning(path, { ...cfg(), textWidth: 8 })).toThrow(/field "embeddings": expected width 8/);
  writeSafetensors(path, [{ name: 'embeddings', shape: [1, L, W], data: new Float32Array(L * W) }], { dtype: 'F32', metadata: { format: 'teacache-conditioning', prompts: '["a","b"]' } });
  expect(() => readConditioning(path)).toThrow(/field "mask": expected a tensor of rank 2/);
  writeSafetensors(path, [{ name: 'embeddings', shape: [1, L, W], data: new Float32Array(L * W) }], { dtype: 'F32' });
  expect(() => readConditioning(path)).toThrow(/__metadata__.format/);
});

test('masked text tokens have no effect: the output equals attending to the kept tokens alone (as Latte truncates)', () => {
  const full = new DiffusionTransformer(cfg(), { seed: 3, zeroInit: false });
  const short = new DiffusionTransformer(cfg(2), { seed: 3, zeroInit: false });
  full.useConditioning(sample(['p'], [2]));
  tf.tidy(() => {
    const x = tf.randomNormal([1, 2, 4, 4, 3], 0, 1, 'float32', 1);
    const t = tf.tensor1d([300]);
    const text = full.encodeCaptions(['p']);
    const masked = full.forward(x, t, text, full.captionBias(['p']));
    const truncated = short.forward(x, t, text.slice([0, 0, 0], [1, 2, W]) as tf.Tensor3D);
    expect(tf.max(tf.abs(tf.sub(masked, truncated))).dataSync()[0]).toBeLessThan(1e-5);
    // Without the mask the padding tokens count, and the output differs.
    const unmasked = full.forward(x, t, text);
    expect(tf.max(tf.abs(tf.sub(unmasked, truncated))).dataSync()[0]).toBeGreaterThan(1e-3);
  });
  full.dispose();
  short.dispose();
});

test('a model on external text without a conditioning file says what to give it', () => {
  const m = new DiffusionTransformer(cfg(), { seed: 0 });
  expect(() => m.encodeCaptions(['p'])).toThrow('--conditioning FILE');
  m.dispose();
});
