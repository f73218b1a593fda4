import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../weights/safetensors.js';
import { validateConfig } from '../config.js';
import { DiffusionTransformer } from '../model.js';
import { convertOpenSora12 } from './opensora-1.2.js';
import type { SourceTensor } from './tensor-layout.js';

// Fixtures: scripts/opensora_fixtures.py run on hpcaitech/Open-Sora v1.2.0 (STDiT3, qk-norm, temporal RoPE,
// learned sigma, fps and caption projection; every parameter random). See fixtures/opensora-1.2/meta.json.
const dir = fileURLToPath(new URL('./fixtures/opensora-1.2/', import.meta.url));
const source = (): Map<string, SourceTensor> => readSafetensors(join(dir, 'checkpoint.safetensors')).tensors;
const io = readSafetensors(join(dir, 'io.safetensors')).tensors;
const SIZE = { frames: 3, height: 4, width: 6, vaeSpatial: 8, fps: 24 };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The converted model, with the toolkit's own (unused) text encoder left at its initial values. */
function converted(): DiffusionTransformer {
  const conv = convertOpenSora12(source(), SIZE);
  expect(conv.problems).toEqual([]);
  expect(conv.unplaced).toEqual([]);
  const cfg = validateConfig(JSON.parse(JSON.stringify(conv.config)), 'converted config');
  const model = new DiffusionTransformer(cfg, { seed: 0 });
  const values = model.params.snapshot();
  const notPlaced = [...values.keys()].filter((n) => !n.startsWith('text.') && !conv.tensors.has(n));
  expect(notPlaced).toEqual([]);
  for (const [n, v] of conv.tensors) {
    expect(v.length).toBe(values.get(n)?.length);
    values.set(n, v);
  }
  model.params.assign(values);
  return model;
}

describe('Open-Sora 1.2 (STDiT3) converted from an upstream checkpoint', () => {
  const x = io.get('x')!;
  const [b, c, f, h, w] = x.shape;
  const inputs = () => ({
    x: tf.tensor(x.data, x.shape).transpose([0, 2, 3, 4, 1]),
    t: tf.tensor1d(io.get('timestep')!.data),
    y: tf.tensor(io.get('y')!.data, io.get('y')!.shape).reshape([b, -1, io.get('y')!.shape[3]]) as tf.Tensor3D,
  });

  it('places every upstream tensor and reads the sizes the checkpoint implies', () => {
    const conv = convertOpenSora12(source(), SIZE);
    expect(conv.config).toMatchObject({ family: 'stdit', hiddenSize: 24, depth: 4, heads: 3, mlpRatio: 4, patchSize: 2, channels: c, textWidth: 16, textLength: 6, timestepFrequencies: 256 });
    expect(conv.config.positionScale).toBeCloseTo(Math.sqrt(32 * 48) / 512, 12);
    expect(conv.config.positionBaseSize).toBe(2);
  });

  it('gives the reference forward output (velocity half) within 1e-4', () => {
    const model = converted();
    const { x: xt, t, y } = inputs();
    const out = model.forward(xt, t, y);
    expect(out.shape).toEqual([b, f, h, w, c]);
    const ref = tf.tensor(io.get('output')!.data, io.get('output')!.shape).slice([0, 0], [b, c]).transpose([0, 2, 3, 4, 1]);
    const diff = maxAbsDiff(out.dataSync(), ref.dataSync());
    expect(diff).toBeLessThan(1e-4);
    // The check can fail: the reference output is far from zero.
    expect(Math.max(...ref.abs().dataSync())).toBeGreaterThan(0.1);
    model.dispose();
  });

  it("gives the reference's modulated input of the first block", () => {
    const model = converted();
    const { x: xt, t, y } = inputs();
    const e = model.embed(xt, t, y);
    expect(maxAbsDiff(e.modulated.dataSync(), io.get('modulated')!.data)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('lists a missing tensor, an unknown name and a non-standard RoPE table all at once', () => {
    const src = source();
    src.delete('temporal_blocks.1.mlp.fc2.bias');
    src.set('extra.weight', { shape: [1], data: new Float32Array(1) });
    src.set('rope.freqs', { shape: [4], data: new Float32Array(4) });
    const conv = convertOpenSora12(src, SIZE);
    expect(conv.unplaced).toEqual(['extra.weight']);
    expect(conv.problems).toEqual([
      'temporal_blocks.1.mlp.fc2.bias: missing (for blocks.3.mlp.fc2.bias)',
      'rope.freqs: not the standard rotary table θ = 10000 for head width 8 (the toolkit builds that table itself)',
    ]);
  });
});
