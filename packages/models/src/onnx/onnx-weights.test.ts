import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../backend.js';
import type { ModelConfig } from '../config.js';
import { DiffusionTransformer, disposeEmbed, isTextSideParam } from '../model.js';
import { loadModel, saveModel } from '../weights/model-io.js';
import { OnnxTransformer } from './onnx-model.js';

const config: ModelConfig = {
  family: 'stdit', hiddenSize: 32, depth: 2, heads: 4, mlpRatio: 2, patchSize: 2, frames: 3, height: 8, width: 4, channels: 3,
  textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4, vocabulary: ['<pad>', '<unk>', 'cat', 'left'], prediction: 'velocity',
  timestepFrequencies: 16,
};

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'onnx-weights-'));
  const m = new DiffusionTransformer(config, { seed: 3, zeroInit: false });
  saveModel(dir, m);
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a model loaded text side only (the onnx engine holds each weight once)', () => {
  test('holds on tfjs only the text encoder, and names a transformer weight it does not hold', () => {
    const { model } = loadModel(dir, { engine: 'onnx' });
    const held = [...model.params.variables.keys()];
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((n) => !isTextSideParam(n))).toEqual([]);
    expect(model.params.missing().length).toBeGreaterThan(10);
    expect(() => model.params.get('patch.weight')).toThrow(/patch\.weight declared but not loaded/);
    model.dispose();
  });

  test('gives the same embed outputs, stack output and prediction on ONNX Runtime as the fully loaded model, bit for bit', () => {
    const full = loadModel(dir);
    const part = loadModel(dir, { engine: 'onnx' });
    const [a, b] = [full, part].map((l) => new OnnxTransformer(l.model, { providers: ['cpu'], threads: 1 }));
    const x = tf.randomNormal([2, 3, 8, 4, 3], 0, 1, 'float32', 1);
    const t = tf.tensor1d([10, 700]);
    const outputs = [a, b].map((m) => {
      const text = m.encodeCaptions(['cat left', '']);
      const e = m.embed(x, t, text);
      const first = m.blocks(e.tokens, e, 0, 1);
      const h = m.stack(e);
      const y = [e.modulated, first, h, m.head(h, e)].map((v) => v.dataSync() as Float32Array);
      disposeEmbed(e);
      tf.dispose([text, first, h]);
      return y;
    });
    outputs[0].forEach((v, k) => expect(Array.from(outputs[1][k])).toEqual(Array.from(v)));
    expect(Math.max(...outputs[0][3].map(Math.abs))).toBeGreaterThan(0.01);
    a.dispose();
    b.dispose();
    tf.dispose([x, t]);
    full.model.dispose();
    part.model.dispose();
  });
});
