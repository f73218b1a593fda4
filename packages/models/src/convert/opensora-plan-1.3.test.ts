import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { validateConfig } from '../config.js';
import { DiffusionTransformer } from '../model.js';
import { loadModel } from '../weights/model-io.js';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { convertCheckpoint } from './convert.js';

// Fixtures: scripts/opensora_fixtures.py run on PKU-YuanGroup/Open-Sora-Plan v1.3.1 with diffusers 0.30.2
// (OpenSoraT2V_v1_3: RoPE-3D, Skiparse k = 4 in blocks 2-4 (single, group, single), 45 tokens so Skiparse pads;
// every parameter random). See meta.json there.
const FIXTURES = join(import.meta.dirname, 'fixtures', 'opensora-plan-1.3');
const CHECKPOINT = join(FIXTURES, 'checkpoint.safetensors');
const io = readSafetensors(join(FIXTURES, 'io.safetensors')).tensors;
// The fixture's video: 3 latent frames of 6×10; two heads of width 12 (the released model: 96).
const OPTIONS = { frames: 3, height: 6, width: 10, heads: 2, textLength: 5 };
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'convert-osp13-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const t = (name: string) => { const v = io.get(name)!; return tf.tensor(v.data, v.shape); };
const inputs = () => ({ x: t('x').transpose([0, 2, 3, 4, 1]), time: t('timestep') as tf.Tensor1D, text: t('y').squeeze([1]) as tf.Tensor3D });
const reference = () => t('output').transpose([0, 2, 3, 4, 1]);

/** The converted model directory (converted once). */
let converted: string | undefined;
function convertedDir(): string {
  if (converted) return converted;
  converted = join(dir, 'osp13');
  convertCheckpoint({ from: 'opensora-plan-1.3', checkpoint: CHECKPOINT, out: converted, options: OPTIONS });
  return converted;
}

describe('converting Open-Sora-Plan v1.3', () => {
  test('the converted model equals the upstream forward within 1e-4 (RoPE-3D, single and group Skiparse with padding)', () => {
    const out = join(dir, 'osp13-first');
    const result = convertCheckpoint({ from: 'opensora-plan-1.3', checkpoint: CHECKPOINT, out, options: OPTIONS });
    expect(result.ignored).toEqual([]);
    expect(result.config).toMatchObject({
      family: 'osp', hiddenSize: 24, depth: 5, heads: 2, mlpRatio: 4, patchSize: 2, channels: 4, textWidth: 16,
      prediction: 'v', zeroTerminalSnr: true, sampler: 'euler-ancestral', rope3d: true, skiparse: 4, skiparseBlocks: [2, 30],
      spatialPositionEmbedding: 'none', temporalPositionEmbedding: false, captionProjection: true, textEncoder: 'external',
    });
    const { model } = loadModel(out);
    const { x, time, text } = inputs();
    expect(maxAbsDiff(model.forward(x, time, text), reference())).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(reference())).dataSync()[0]).toBeGreaterThan(0.5);
    const e = model.embed(x, time, text);
    expect(maxAbsDiff(e.modulated, t('modulated'))).toBeLessThan(1e-4);
    model.dispose();
  });

  test.each([
    ['without Skiparse', { skiparse: undefined, skiparseBlocks: undefined }],
    ['without RoPE-3D', { rope3d: false }],
    ['with Skiparse in block 2 only', { skiparseBlocks: [2, 3] }],
  ])('the same weights %s differ from the reference, so the parity check can fail', (_what, override) => {
    const { config } = loadModel(convertedDir());
    const model = new DiffusionTransformer(validateConfig(JSON.parse(JSON.stringify({ ...config, ...override }))), { seed: 0 });
    model.params.assign(new Map([...readSafetensors(join(convertedDir(), 'weights.safetensors')).tensors].map(([n, v]) => [n, v.data])));
    const { x, time, text } = inputs();
    expect(maxAbsDiff(model.forward(x, time, text), reference())).toBeGreaterThan(1e-2);
    model.dispose();
  });

  test('with a text mask the converted model equals the upstream forward that drops the masked caption tokens', () => {
    const out = join(dir, 'masked');
    convertCheckpoint({ from: 'opensora-plan-1.3', checkpoint: CHECKPOINT, out, options: OPTIONS });
    const { model } = loadModel(out);
    const { x, time, text } = inputs();
    const bias = tf.mul(tf.sub(1, t('text_mask')), -1e9) as tf.Tensor2D;
    const want = t('output_masked').transpose([0, 2, 3, 4, 1]);
    expect(maxAbsDiff(model.forward(x, time, text, bias), want)).toBeLessThan(1e-4);
    // The mask matters: without it the output is the unmasked reference, not this one.
    expect(maxAbsDiff(model.forward(x, time, text), want)).toBeGreaterThan(1e-2);
    model.dispose();
  });

  test('a checkpoint with tensors missing and an unknown one is refused naming each', () => {
    const { tensors } = readSafetensors(CHECKPOINT);
    tensors.delete('transformer_blocks.3.attn1.to_k.weight');
    tensors.delete('proj_out.bias');
    tensors.set('transformer_blocks.0.attn1.norm_q.weight', { name: 'transformer_blocks.0.attn1.norm_q.weight', dtype: 'F32', shape: [12], data: new Float32Array(12) });
    const bad = join(dir, 'bad.safetensors');
    writeSafetensors(bad, [...tensors.values()], { dtype: 'F32' });
    let error: Error | undefined;
    try { convertCheckpoint({ from: 'opensora-plan-1.3', checkpoint: bad, out: join(dir, 'bad'), options: OPTIONS }); } catch (err) { error = err as Error; }
    expect(error?.message).toContain('missing tensor "transformer_blocks.3.attn1.to_k.weight"');
    expect(error?.message).toContain('missing tensor "proj_out.bias"');
    expect(error?.message).toContain('unknown tensor "transformer_blocks.0.attn1.norm_q.weight"');
  });
});
