import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import { disposeEmbed } from '../model.js';
import { loadModel } from '../weights/model-io.js';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.js';
import { ProblemsError } from '../weights/problems.js';
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
    const bytesBefore = tf.memory().numBytes;
    const { model } = loadModel(out);
    // Held once: the backend holds the parameters, the position embedding [T, D] and the timestep frequencies [128], nothing more.
    expect(tf.memory().numBytes - bytesBefore).toBe(4 * (model.params.count() + 16 * 32 + 256 / 2));
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

describe('converting a DiT checkpoint in diffusers naming', () => {
  test("gives the original model: diffusers' conversion of the upstream fixture converts back to the same forward", () => {
    // The renaming diffusers' scripts/convert_dit_to_diffusers.py (v0.24.0) applies, done here on the upstream fixture.
    const orig = readSafetensors(join(FIXTURES, 'dit-checkpoint.safetensors')).tensors;
    const out = new Map<string, { name: string; shape: number[]; data: Float32Array }>();
    const put = (name: string, shape: number[], data: Float32Array) => out.set(name, { name, shape, data });
    const take = (name: string) => orig.get(name)!;
    const same = (to: string, from: string) => put(to, take(from).shape, take(from).data);
    same('pos_embed.proj.weight', 'x_embedder.proj.weight');
    same('pos_embed.proj.bias', 'x_embedder.proj.bias');
    for (let k = 0; k < 2; k++) {
      const b = `transformer_blocks.${k}`;
      same(`${b}.norm1.emb.timestep_embedder.linear_1.weight`, 't_embedder.mlp.0.weight');
      same(`${b}.norm1.emb.timestep_embedder.linear_1.bias`, 't_embedder.mlp.0.bias');
      same(`${b}.norm1.emb.timestep_embedder.linear_2.weight`, 't_embedder.mlp.2.weight');
      same(`${b}.norm1.emb.timestep_embedder.linear_2.bias`, 't_embedder.mlp.2.bias');
      same(`${b}.norm1.emb.class_embedder.embedding_table.weight`, 'y_embedder.embedding_table.weight');
      same(`${b}.norm1.linear.weight`, `blocks.${k}.adaLN_modulation.1.weight`);
      same(`${b}.norm1.linear.bias`, `blocks.${k}.adaLN_modulation.1.bias`);
      const qkv = take(`blocks.${k}.attn.qkv.weight`);
      const qkvBias = take(`blocks.${k}.attn.qkv.bias`);
      const rows = qkv.shape[0] / 3;
      ['q', 'k', 'v'].forEach((p, i) => {
        put(`${b}.attn1.to_${p}.weight`, [rows, qkv.shape[1]], qkv.data.slice(i * rows * qkv.shape[1], (i + 1) * rows * qkv.shape[1]));
        put(`${b}.attn1.to_${p}.bias`, [rows], qkvBias.data.slice(i * rows, (i + 1) * rows));
      });
      same(`${b}.attn1.to_out.0.weight`, `blocks.${k}.attn.proj.weight`);
      same(`${b}.attn1.to_out.0.bias`, `blocks.${k}.attn.proj.bias`);
      same(`${b}.ff.net.0.proj.weight`, `blocks.${k}.mlp.fc1.weight`);
      same(`${b}.ff.net.0.proj.bias`, `blocks.${k}.mlp.fc1.bias`);
      same(`${b}.ff.net.2.weight`, `blocks.${k}.mlp.fc2.weight`);
      same(`${b}.ff.net.2.bias`, `blocks.${k}.mlp.fc2.bias`);
    }
    same('proj_out_1.weight', 'final_layer.adaLN_modulation.1.weight');
    same('proj_out_1.bias', 'final_layer.adaLN_modulation.1.bias');
    same('proj_out_2.weight', 'final_layer.linear.weight');
    same('proj_out_2.bias', 'final_layer.linear.bias');
    const checkpoint = join(dir, 'dit-diffusers.safetensors');
    writeSafetensors(checkpoint, [...out.values()], { dtype: 'F32' });
    const result = convertCheckpoint({ from: 'dit', checkpoint, out: join(dir, 'dit-diffusers'), options: { heads: 2, height: 8 } });
    expect(result.naming).toBe('diffusers');
    expect(result.ignored).toHaveLength(5);
    const { model } = loadModel(result.dir);
    const ref = reference('dit-reference.safetensors');
    tf.tidy(() => {
      const x = ref.get('x')!.transpose([0, 2, 3, 1]).expandDims(1);
      const e = model.embed(x, ref.get('t')! as tf.Tensor1D, model.encodeLabels(Array.from(ref.get('y')!.dataSync())));
      const full = model.headWithVariance(model.stack(e), e).squeeze([1]).transpose([0, 3, 1, 2]);
      expect(maxAbsDiff(full, ref.get('output')!)).toBeLessThan(1e-4);
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

describe('bad checkpoints', () => {
  const original = () => readSafetensors(join(FIXTURES, 'dit-checkpoint.safetensors')).tensors;
  function write(name: string, edit: (t: Map<string, { name: string; shape: number[]; data: Float32Array }>) => void): string {
    const tensors = new Map([...original()].map(([k, t]) => [k, { name: k, shape: t.shape, data: t.data }]));
    edit(tensors);
    const path = join(dir, name);
    writeSafetensors(path, [...tensors.values()], { dtype: 'F32' });
    return path;
  }
  function convertError(checkpoint: string, from = 'dit'): Error {
    try {
      convertCheckpoint({ from, checkpoint, out: join(dir, `out-${Math.random().toString(36).slice(2)}`), options: { heads: 2 } });
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected the conversion to fail');
  }

  test('a missing tensor, an unknown name and a wrong shape are all named in one error, and nothing is written', () => {
    const path = write('bad.safetensors', (t) => {
      t.delete('blocks.1.mlp.fc2.bias');
      t.set('blocks.0.extra.weight', { name: 'blocks.0.extra.weight', shape: [2], data: new Float32Array(2) });
      const w = t.get('blocks.0.attn.proj.weight')!;
      t.set('blocks.0.attn.proj.weight', { ...w, shape: [16, 64], data: w.data });
    });
    const out = join(dir, 'never');
    let error: Error | undefined;
    try { convertCheckpoint({ from: 'dit', checkpoint: path, out, options: { heads: 2 } }); } catch (err) { error = err as Error; }
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems).toHaveLength(3);
    expect(error!.message).toContain(path);
    expect(error!.message).toContain('missing tensor "blocks.1.mlp.fc2.bias" (shape [32]');
    expect(error!.message).toContain('unknown tensor "blocks.0.extra.weight"');
    expect(error!.message).toContain('tensor "blocks.0.attn.proj.weight" has shape [16, 64], expected [32, 32]');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  test('a stored position embedding that differs from the one the toolkit computes is refused', () => {
    const path = write('rows-first.safetensors', (t) => {
      const pos = t.get('pos_embed')!;
      // Swap the halves: the row-first layout instead of DiT's column-first one.
      const d = pos.shape[2];
      const swapped = new Float32Array(pos.data.length);
      for (let i = 0; i < pos.data.length; i += d) {
        swapped.set(pos.data.subarray(i + d / 2, i + d), i);
        swapped.set(pos.data.subarray(i, i + d / 2), i + d / 2);
      }
      t.set('pos_embed', { ...pos, data: swapped });
    });
    expect(convertError(path).message).toMatch(/field "pos_embed": expected the 4x4 sin-cos position embedding .*first half: column/);
  });

  test('a truncated file names every tensor cut off', () => {
    const bytes = readFileSync(join(FIXTURES, 'dit-checkpoint.safetensors'));
    const path = join(dir, 'truncated.safetensors');
    writeFileSync(path, bytes.subarray(0, bytes.length - 1000));
    const error = convertError(path);
    expect(error.message).toContain('truncated');
    expect(error.message).toMatch(/tensor "[^"]+" extends past the end/);
  });

  test('a PyTorch pickle is refused with the lines that make a safetensors file, whatever its name', () => {
    for (const [name, bytes] of [['model.pt', [0x50, 0x4b, 0x03, 0x04, 0, 0]], ['model.safetensors', [0x80, 0x02, 0x7d, 0x71, 0, 0x28, 0x58, 0x05, 0x00]]] as const) {
      const path = join(dir, name);
      writeFileSync(path, Buffer.from(bytes));
      const error = convertError(path);
      expect(error.message).toContain('a PyTorch pickle');
      expect(error.message).toContain('save_file(');
    }
  });

  test('a safetensors file whose header length starts with the byte 0x80 is not taken for a pickle', () => {
    // 128 header bytes: the first length byte is 0x80, the pickle protocol marker.
    const path = join(dir, 'header128.safetensors');
    const header = JSON.stringify({ 'x_embedder.proj.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    const padded = Buffer.from(header.padEnd(128, ' '));
    const bytes = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0]), padded, Buffer.alloc(4)]);
    writeFileSync(path, bytes);
    const error = convertError(path);
    expect(error.message).not.toContain('pickle');
    expect(error.message).toContain('x_embedder.proj.weight');
  });

  test('a checkpoint of another model is named as such', () => {
    expect(convertError(join(FIXTURES, 'latte-checkpoint.safetensors')).message).toContain('x_embedder.proj.weight');
  });

  test('a checkpoint given as another source is named as not that model, unknown sources list the choices', () => {
    expect(convertError(join(FIXTURES, 'dit-checkpoint.safetensors'), 'opensora-1.2').message).toContain('temporal_blocks.0.attn.qkv.weight');
    expect(convertError(join(FIXTURES, 'dit-checkpoint.safetensors'), 'sd3').message).toContain('dit, latte-1');
  });

  test('an output directory with files in it is not overwritten', () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    expect(() => convertCheckpoint({ from: 'dit', checkpoint: join(FIXTURES, 'dit-checkpoint.safetensors'), out, options: { heads: 2 } }))
      .toThrow('new or empty output directory');
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
