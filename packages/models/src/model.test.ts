import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from './backend.js';
import { FAMILIES, validateConfig, type Family, type ModelConfig } from './config.js';
import { DiffusionTransformer, disposeEmbed } from './model.js';
import { loadModel, saveModel } from './weights/model-io.js';

function config(family: Family, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    family, hiddenSize: 32, depth: 2, heads: 4, mlpRatio: 2, patchSize: 2, frames: family === 'dit' ? 1 : 3,
    height: 8, width: 4, channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4,
    vocabulary: ['<pad>', '<unk>', 'cat', 'left'], prediction: family === 'stdit' ? 'velocity' : 'epsilon',
    timestepFrequencies: 16, ...overrides,
  };
}

function inputs(cfg: ModelConfig, batch: number) {
  const x = tf.randomNormal([batch, cfg.frames, cfg.height, cfg.width, cfg.channels], 0, 1, 'float32', 5);
  const t = tf.tensor1d(Array.from({ length: batch }, (_, i) => 100 + 300 * i));
  return { x, t };
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe.each(FAMILIES)('the %s family', (family) => {
  test('embed, stack and head give the documented shapes', () => {
    const cfg = config(family);
    const m = new DiffusionTransformer(cfg, { seed: 3, zeroInit: false });
    const { x, t } = inputs(cfg, 2);
    const text = m.encodeCaptions(['cat left', '']);
    const e = m.embed(x, t, text);
    const tokens = cfg.frames * (cfg.height / 2) * (cfg.width / 2);
    expect(e.noisyTokens.shape).toEqual([2, tokens, 2 * 2 * 3]);
    expect(e.tokens.shape).toEqual([2, tokens, 32]);
    expect(e.modulated.shape).toEqual([2, tokens, 32]);
    expect(e.timestepEmbedding.shape).toEqual([2, 32]);
    expect(e.condition.shape).toEqual([2, family === 'dit' ? 32 : 6 * 32]);
    expect(text.shape).toEqual([2, 4, 16]);
    const h = m.stack(e);
    expect(h.shape).toEqual([2, tokens, 32]);
    const y = m.head(h, e);
    expect(y.shape).toEqual([2, cfg.frames, cfg.height, cfg.width, cfg.channels]);
    const direct = m.forward(x, t, text);
    expect(Array.from(direct.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, t, text, h, y, direct]);
    disposeEmbed(e);
    m.dispose();
  });

  test('the same seed gives the same output, bit for bit; another seed does not', () => {
    const cfg = config(family);
    const run = (seed: number) => {
      const m = new DiffusionTransformer(cfg, { seed, zeroInit: false });
      const { x, t } = inputs(cfg, 1);
      const text = m.encodeCaptions(['cat']);
      const y = m.forward(x, t, text);
      const out = Array.from(y.dataSync());
      tf.dispose([x, t, text, y]);
      m.dispose();
      return out;
    };
    const a = run(11);
    expect(run(11)).toEqual(a);
    expect(run(12)).not.toEqual(a);
  });

  test('the modulated input equals LN(x)·(1+scale)+shift computed here on plain arrays', () => {
    const cfg = config(family);
    const m = new DiffusionTransformer(cfg, { seed: 4, zeroInit: false });
    const { x, t } = inputs(cfg, 1);
    const text = m.encodeCaptions(['cat']);
    const e = m.embed(x, t, text);
    const d = cfg.hiddenSize;
    // shift_msa and scale_msa are rows 0 and 1 of the block's six modulation vectors.
    let mod: Float32Array;
    if (family === 'dit') {
      const c = e.condition.dataSync();
      const w = m.params.get('blocks.0.adaLN.weight').dataSync();
      const b = m.params.get('blocks.0.adaLN.bias').dataSync();
      mod = new Float32Array(6 * d);
      for (let j = 0; j < 6 * d; j++) {
        let s = b[j];
        for (let i = 0; i < d; i++) s += (c[i] / (1 + Math.exp(-c[i]))) * w[i * 6 * d + j];
        mod[j] = s;
      }
    } else {
      const t0 = e.condition.dataSync();
      const table = m.params.get('blocks.0.scaleShiftTable').dataSync();
      mod = new Float32Array(6 * d).map((_, j) => t0[j] + table[j]);
    }
    const tokens = e.tokens.dataSync() as Float32Array;
    const got = e.modulated.dataSync() as Float32Array;
    const n = tokens.length / d;
    let maxErr = 0;
    for (let r = 0; r < n; r++) {
      const row = tokens.subarray(r * d, (r + 1) * d);
      const mean = row.reduce((a, v) => a + v, 0) / d;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
      for (let k = 0; k < d; k++) {
        const ln = (row[k] - mean) / Math.sqrt(variance + 1e-6);
        const want = ln * (1 + mod[d + k]) + mod[k];
        maxErr = Math.max(maxErr, Math.abs(want - got[r * d + k]));
      }
    }
    expect(maxErr).toBeLessThan(1e-4);
    tf.dispose([x, t, text]);
    disposeEmbed(e);
    m.dispose();
  });

  test('weights written and read back give the same output (float32 exactly)', () => {
    const cfg = config(family);
    const dir = mkdtempSync(join(tmpdir(), 'teacache-weights-'));
    try {
      const m = new DiffusionTransformer(cfg, { seed: 8, zeroInit: false });
      saveModel(dir, m, { dtype: 'F32' });
      const loaded = loadModel(dir);
      const { x, t } = inputs(cfg, 1);
      const text1 = m.encodeCaptions(['cat']);
      const text2 = loaded.model.encodeCaptions(['cat']);
      const a = m.forward(x, t, text1);
      const b = loaded.model.forward(x, t, text2);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(loaded.weightsHash).toMatch(/^[0-9a-f]{64}$/);
      tf.dispose([x, t, text1, text2, a, b]);
      m.dispose();
      loaded.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no tensor leaks over 100 forward steps', () => {
    const cfg = config(family);
    const m = new DiffusionTransformer(cfg, { seed: 1 });
    const { x, t } = inputs(cfg, 2);
    const text = m.encodeCaptions(['cat', '']);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const e = m.embed(x, t, text);
      const h = m.stack(e);
      const y = m.head(h, e);
      tf.dispose([h, y]);
      disposeEmbed(e);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t, text]);
    m.dispose();
  });
});

describe('config validation', () => {
  test.each([
    [{ family: 'unet' }, 'family'],
    [{ hiddenSize: 0 }, 'hiddenSize'],
    [{ heads: 5 }, 'heads'],
    [{ patchSize: 3 }, 'patchSize'],
    [{ prediction: 'x0' }, 'prediction'],
    [{ vocabulary: [] }, 'vocabulary'],
    [{ depth: 3 }, 'depth'],
  ])('a config with %j is refused naming field %s', (override, field) => {
    const bad = { ...config('stdit'), ...override };
    expect(() => validateConfig(bad, 'cfg.json')).toThrow(new RegExp(`cfg\\.json.*${field}`));
  });

  test('a model directory whose weights miss a tensor is refused naming the tensor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'teacache-bad-'));
    try {
      const m = new DiffusionTransformer(config('dit'), { seed: 1 });
      saveModel(dir, m);
      m.dispose();
      const cfg = { ...config('dit'), depth: 3 };
      writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
      expect(() => loadModel(dir)).toThrow(/blocks\.2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
