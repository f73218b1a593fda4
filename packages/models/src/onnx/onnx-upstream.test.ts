import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { convertCheckpoint } from '../convert/convert.js';
import { disposeEmbed, type DiffusionTransformer, type EmbedOutput } from '../model.js';
import { loadModel } from '../weights/model-io.js';
import { readSafetensors } from '../weights/safetensors.js';
import { OnnxTransformer } from './onnx-model.js';

// The published-checkpoint options on the onnx engine: each converter's fixture (made by the upstream code, see
// convert/*.test.ts) converted and run on both engines, every hook point compared, and the onnx output compared with
// the upstream reference directly.
const FIXTURES = join(import.meta.dirname, '..', 'convert', 'fixtures');
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'onnx-upstream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(path: string): (name: string) => tf.Tensor {
  const { tensors } = readSafetensors(path);
  return (name) => { const v = tensors.get(name)!; return tf.tensor(v.data, v.shape); };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

interface Case {
  from: string;
  checkpoint: string;
  options: Record<string, number>;
  /** Inputs in the toolkit's layouts, and the upstream output in the layout of headWithVariance. */
  inputs(model: DiffusionTransformer): { x: tf.Tensor; t: tf.Tensor1D; text: tf.Tensor3D; bias?: tf.Tensor2D; want: tf.Tensor };
}

const cases: [string, Case][] = [
  ['DiT (class labels, learned sigma)', {
    from: 'dit', checkpoint: join(FIXTURES, 'dit-checkpoint.safetensors'), options: { heads: 2 },
    inputs: (model) => {
      const r = read(join(FIXTURES, 'dit-reference.safetensors'));
      return {
        x: r('x').transpose([0, 2, 3, 1]).expandDims(1), t: r('t') as tf.Tensor1D,
        text: model.encodeLabels(Array.from(r('y').dataSync())), want: r('output').transpose([0, 2, 3, 1]).expandDims(1),
      };
    },
  }],
  ['Latte-1 (caption projection, column-first positions, learned sigma)', {
    from: 'latte-1', checkpoint: join(FIXTURES, 'latte-checkpoint.safetensors'), options: { heads: 2, frames: 4, height: 8, textLength: 5 },
    inputs: () => {
      const r = read(join(FIXTURES, 'latte-reference.safetensors'));
      return { x: r('x').transpose([0, 2, 3, 4, 1]), t: r('t') as tf.Tensor1D, text: r('text') as tf.Tensor3D, want: r('output').transpose([0, 2, 3, 4, 1]) };
    },
  }],
  ['Open-Sora 1.2 STDiT3 (qk-norm, temporal RoPE, fps, caption projection, masked text)', {
    from: 'opensora-1.2', checkpoint: join(FIXTURES, 'opensora-1.2', 'checkpoint.safetensors'), options: { frames: 3, height: 4, width: 6, fps: 24 },
    inputs: () => {
      const r = read(join(FIXTURES, 'opensora-1.2', 'io.safetensors'));
      return {
        x: r('x').transpose([0, 2, 3, 4, 1]), t: r('timestep') as tf.Tensor1D, text: r('y').squeeze([1]) as tf.Tensor3D,
        bias: tf.mul(tf.sub(1, r('text_mask')), -1e9) as tf.Tensor2D, want: r('output_masked').transpose([0, 2, 3, 4, 1]),
      };
    },
  }],
  ['Open-Sora-Plan v1.3 (RoPE-3D, Skiparse, no additive positions, masked text)', {
    from: 'opensora-plan-1.3', checkpoint: join(FIXTURES, 'opensora-plan-1.3', 'checkpoint.safetensors'), options: { frames: 3, height: 6, width: 10, heads: 2, textLength: 5 },
    inputs: () => {
      const r = read(join(FIXTURES, 'opensora-plan-1.3', 'io.safetensors'));
      return {
        x: r('x').transpose([0, 2, 3, 4, 1]), t: r('timestep') as tf.Tensor1D, text: r('y').squeeze([1]) as tf.Tensor3D,
        bias: tf.mul(tf.sub(1, r('text_mask')), -1e9) as tf.Tensor2D, want: r('output_masked').transpose([0, 2, 3, 4, 1]),
      };
    },
  }],
];

describe.each(cases)('%s on the onnx engine', (_, c) => {
  test('every hook point equals tfjs within 1e-4, and the output equals the upstream reference within 1e-4', () => {
    const out = join(dir, c.from);
    convertCheckpoint({ from: c.from, checkpoint: c.checkpoint, out, options: c.options });
    const { model } = loadModel(out);
    const onnx = new OnnxTransformer(model, { providers: ['cpu'], threads: 1 });
    const { x, t, text, bias, want } = c.inputs(model);
    const a = model.embed(x, t, text, bias);
    const b = onnx.embed(x, t, text, bias);
    const keys = ['noisyTokens', 'tokens', 'timestepEmbedding', 'modulated', 'condition', 'text'] as const satisfies readonly (keyof EmbedOutput)[];
    expect(keys.map((k) => [k, maxAbsDiff(a[k], b[k])] as const).filter(([, d]) => !(d < 1e-4))).toEqual([]);
    const [sa, sb] = [model.stack(a), onnx.stack(b)];
    expect(maxAbsDiff(sa, sb)).toBeLessThan(1e-4);
    const [fa, fb] = [model.blocks(a.tokens, a, 0, 1), onnx.blocks(b.tokens, b, 0, 1)];
    const [ra, rb] = [model.blocks(fa, a, 1), onnx.blocks(fb, b, 1)];
    expect(maxAbsDiff(ra, rb)).toBeLessThan(1e-4);
    expect(maxAbsDiff(model.head(sa, a), onnx.head(sb, b))).toBeLessThan(1e-4);
    const full = onnx.headWithVariance(sb, b);
    expect(maxAbsDiff(full, model.headWithVariance(sa, a))).toBeLessThan(1e-4);
    expect(maxAbsDiff(full, want)).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(want)).dataSync()[0]).toBeGreaterThan(0.1);
    disposeEmbed(a);
    disposeEmbed(b);
    onnx.dispose();
    model.dispose();
  });
});
