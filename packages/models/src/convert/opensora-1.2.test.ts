import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { loadModel } from '../weights/model-io.js';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { convertCheckpoint } from './convert.js';

// Fixtures: scripts/opensora_fixtures.py run on hpcaitech/Open-Sora v1.2.0 (STDiT3 with qk-norm, temporal RoPE,
// learned sigma, fps embedder, caption projection and null caption; every parameter random). See meta.json there.
const FIXTURES = join(import.meta.dirname, 'fixtures', 'opensora-1.2');
const CHECKPOINT = join(FIXTURES, 'checkpoint.safetensors');
const io = readSafetensors(join(FIXTURES, 'io.safetensors')).tensors;
// The fixture's video: 3 latent frames of 4×6 (32×48 pixels), 24 fps.
const OPTIONS = { frames: 3, height: 4, width: 6, fps: 24 };
let dir: string;

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'convert-os12-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const t = (name: string) => { const v = io.get(name)!; return tf.tensor(v.data, v.shape); };
/** Inputs in the toolkit's layouts: x [B, F, H, W, C] from [B, C, T, H, W]; text [B, L, W] from [B, 1, L, W]. */
const inputs = () => ({
  x: t('x').transpose([0, 2, 3, 4, 1]), time: t('timestep') as tf.Tensor1D,
  text: t('y').squeeze([1]) as tf.Tensor3D,
});

describe('converting Open-Sora 1.2 (STDiT3)', () => {
  test('the converted model equals the upstream forward within 1e-4 (velocity half of the learned-sigma output)', () => {
    const out = join(dir, 'stdit3');
    const result = convertCheckpoint({ from: 'opensora-1.2', checkpoint: CHECKPOINT, out, options: OPTIONS });
    expect(result.ignored.map((i) => i.name)).toEqual(['rope.freqs']);
    expect(result.config).toMatchObject({
      family: 'stdit', hiddenSize: 24, depth: 4, heads: 3, mlpRatio: 4, patchSize: 2, channels: 4, textWidth: 16, textLength: 6,
      timestepFrequencies: 256, learnSigma: true, qkNorm: true, temporalRope: true, positionFirstHalf: 'column', positionBaseSize: 2,
      velocityTarget: 'data-minus-noise', textEncoder: 'external', captionProjection: true, nullCaption: true, fps: 24,
    });
    expect(result.config.positionScale).toBeCloseTo(Math.sqrt(32 * 48) / 512, 12);
    const { model } = loadModel(out);
    const { x, time, text } = inputs();
    const got = model.forward(x, time, text);
    const want = t('output').slice([0, 0], [-1, 4]).transpose([0, 2, 3, 4, 1]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(want)).dataSync()[0]).toBeGreaterThan(0.5);
    // The variance half too, through the head that keeps it.
    const e = model.embed(x, time, text);
    const full = model.headWithVariance(model.stack(e), e);
    expect(maxAbsDiff(full, t('output').transpose([0, 2, 3, 4, 1]))).toBeLessThan(1e-4);
    // The first block's modulated input, the cheap indicator TeaCache reads.
    expect(maxAbsDiff(e.modulated, t('modulated'))).toBeLessThan(1e-4);
    model.dispose();
  });

  test("the learned null caption is the checkpoint's y_embedding", () => {
    const out = join(dir, 'stdit3-null');
    convertCheckpoint({ from: 'opensora-1.2', checkpoint: CHECKPOINT, out, options: OPTIONS });
    const { model } = loadModel(out);
    const nul = readSafetensors(CHECKPOINT).tensors.get('y_embedder.y_embedding')!;
    expect(Array.from(model.nullCaption()!.dataSync())).toEqual(Array.from(nul.data));
    model.dispose();
  });

  test('with a text mask the converted model equals the upstream forward that drops the masked caption tokens', () => {
    const out = join(dir, 'masked');
    convertCheckpoint({ from: 'opensora-1.2', checkpoint: CHECKPOINT, out, options: OPTIONS });
    const { model } = loadModel(out);
    const { x, time, text } = inputs();
    const bias = tf.mul(tf.sub(1, t('text_mask')), -1e9) as tf.Tensor2D;
    const want = t('output_masked').slice([0, 0], [-1, 4]).transpose([0, 2, 3, 4, 1]);
    expect(maxAbsDiff(model.forward(x, time, text, bias), want)).toBeLessThan(1e-4);
    // The mask matters: without it the output is the unmasked reference, not this one.
    expect(maxAbsDiff(model.forward(x, time, text), want)).toBeGreaterThan(1e-2);
    model.dispose();
  });

  test('a checkpoint with a tensor missing, an unknown one and a wrong shape is refused naming all three', () => {
    const { tensors } = readSafetensors(CHECKPOINT);
    tensors.delete('temporal_blocks.1.mlp.fc2.bias');
    tensors.set('extra.weight', { name: 'extra.weight', dtype: 'F32', shape: [2], data: new Float32Array(2) });
    const bias = tensors.get('temporal_blocks.0.cross_attn.proj.bias')!;
    tensors.set('temporal_blocks.0.cross_attn.proj.bias', { ...bias, shape: [3], data: bias.data.slice(0, 3) });
    const bad = join(dir, 'bad.safetensors');
    writeSafetensors(bad, [...tensors.values()], { dtype: 'F32' });
    let error: Error | undefined;
    try { convertCheckpoint({ from: 'opensora-1.2', checkpoint: bad, out: join(dir, 'bad'), options: OPTIONS }); } catch (err) { error = err as Error; }
    expect(error?.message).toContain('missing tensor "temporal_blocks.1.mlp.fc2.bias"');
    expect(error?.message).toContain('unknown tensor "extra.weight"');
    expect(error?.message).toContain('tensor "temporal_blocks.0.cross_attn.proj.bias" has shape [3], expected [24]');
    expect(error?.message).toContain('3 problem(s)');
  });
});
