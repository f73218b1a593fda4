import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../weights/safetensors.js';
import { validateConfig } from '../config.js';
import { DiffusionTransformer } from '../model.js';
import { convertOpenSoraPlan13 } from './opensora-plan-1.3.js';
import type { SourceTensor } from './tensor-layout.js';

// Fixtures: scripts/opensora_fixtures.py run on PKU-YuanGroup/Open-Sora-Plan v1.3.1 (OpenSoraT2V_v1_3 with RoPE-3D,
// Skiparse k = 4 in blocks 2-4 (single, group, single), 45 tokens so Skiparse pads; every parameter random).
const dir = fileURLToPath(new URL('./fixtures/opensora-plan-1.3/', import.meta.url));
const source = (): Map<string, SourceTensor> => readSafetensors(join(dir, 'checkpoint.safetensors')).tensors;
const io = readSafetensors(join(dir, 'io.safetensors')).tensors;
const SIZE = { frames: 3, height: 6, width: 10, headDim: 12 };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The converted model (config overridden where a test asks), the unused own text encoder at its initial values. */
function converted(override: object = {}): DiffusionTransformer {
  const conv = convertOpenSoraPlan13(source(), SIZE);
  expect(conv.problems).toEqual([]);
  expect(conv.unplaced).toEqual([]);
  const cfg = validateConfig(JSON.parse(JSON.stringify({ ...conv.config, ...override })), 'converted config');
  const model = new DiffusionTransformer(cfg, { seed: 0 });
  const values = model.params.snapshot();
  expect([...values.keys()].filter((n) => !n.startsWith('text.') && !conv.tensors.has(n))).toEqual([]);
  for (const [n, v] of conv.tensors) {
    expect(v.length).toBe(values.get(n)?.length);
    values.set(n, v);
  }
  model.params.assign(values);
  return model;
}

describe('Open-Sora-Plan v1.3 converted from an upstream checkpoint', () => {
  const x = io.get('x')!;
  const y = io.get('y')!;
  const [b, c, f, h, w] = x.shape;
  const run = (model: DiffusionTransformer) => model.forward(
    tf.tensor(x.data, x.shape).transpose([0, 2, 3, 4, 1]), tf.tensor1d(io.get('timestep')!.data),
    tf.tensor(y.data, y.shape).reshape([b, y.shape[2], y.shape[3]]) as tf.Tensor3D);
  const reference = () => tf.tensor(io.get('output')!.data, io.get('output')!.shape).transpose([0, 2, 3, 4, 1]);

  it('reads the sizes and the v1.3 options from the checkpoint', () => {
    const conv = convertOpenSoraPlan13(source(), SIZE);
    expect(conv.config).toMatchObject({
      family: 'osp', hiddenSize: 24, depth: 5, heads: 2, mlpRatio: 4, patchSize: 2, channels: c, textWidth: 16,
      prediction: 'v', zeroTerminalSnr: true, rope3d: true, skiparse: 4, skiparseBlocks: [2, 30],
      spatialPositionEmbedding: 'none', temporalPositionEmbedding: false, captionProjection: true,
    });
  });

  it('gives the reference forward output within 1e-4 (RoPE-3D, single and group Skiparse with padding)', () => {
    const model = converted();
    const out = run(model);
    expect(out.shape).toEqual([b, f, h, w, c]);
    expect(maxAbsDiff(out.dataSync(), reference().dataSync())).toBeLessThan(1e-4);
    expect(Math.max(...reference().abs().dataSync())).toBeGreaterThan(0.1);
    model.dispose();
  });

  it('differs from the reference without Skiparse or without RoPE-3D, so the parity test can fail', () => {
    for (const override of [{ skiparse: undefined, skiparseBlocks: undefined }, { rope3d: false }, { skiparseBlocks: [2, 3] }]) {
      const model = converted(override);
      expect(maxAbsDiff(run(model).dataSync(), reference().dataSync())).toBeGreaterThan(1e-2);
      model.dispose();
    }
  });

  it("gives the reference's modulated input of the first block", () => {
    const model = converted();
    const e = model.embed(tf.tensor(x.data, x.shape).transpose([0, 2, 3, 4, 1]), tf.tensor1d(io.get('timestep')!.data),
      tf.tensor(y.data, y.shape).reshape([b, y.shape[2], y.shape[3]]) as tf.Tensor3D);
    expect(maxAbsDiff(e.modulated.dataSync(), io.get('modulated')!.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('lists every missing tensor and every unknown name at once', () => {
    const src = source();
    src.delete('transformer_blocks.3.attn1.to_k.weight');
    src.delete('proj_out.bias');
    src.set('transformer_blocks.0.attn1.norm_q.weight', { shape: [12], data: new Float32Array(12) });
    const conv = convertOpenSoraPlan13(src, SIZE);
    expect(conv.problems).toEqual([
      'proj_out.bias: missing (for final.linear.bias)',
      'transformer_blocks.3.attn1.to_k.weight: missing (for blocks.3.attn.qkv.weight)',
    ]);
    expect(conv.unplaced).toEqual(['transformer_blocks.0.attn1.norm_q.weight', 'transformer_blocks.3.attn1.to_q.weight', 'transformer_blocks.3.attn1.to_v.weight']);
  });
});
