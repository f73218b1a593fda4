import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@teacache/core';
import { validateConfig, type ModelConfig } from './config.js';
import { sincos1d, sincos2d } from './layers.js';
import { DiffusionTransformer } from './model.js';
import { skiparseAttention, skiparseIndex, skiparseKindOf } from './skiparse.js';
import { TfOps } from './ops/tf-ops.js';
import { forwardFlops } from './flops.js';
import { positionTable } from './upstream.js';

function config(family: ModelConfig['family'], overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    family, hiddenSize: 24, depth: 2, heads: 2, mlpRatio: 2, patchSize: 2, frames: 3, height: 4, width: 6,
    channels: 3, textWidth: 8, textLayers: 1, textHeads: 2, textLength: 3, vocabulary: ['<pad>', '<unk>', 'cat'],
    prediction: family === 'stdit' ? 'velocity' : 'v', timestepFrequencies: 16, ...overrides,
  };
}

describe('upstream config options', () => {
  it.each([
    [{ qkNorm: 'yes' }, 'qkNorm'],
    [{ positionFirstHalf: 'xy' }, 'positionFirstHalf'],
    [{ positionScale: 0 }, 'positionScale'],
    [{ fps: -24 }, 'fps'],
    [{ velocityTarget: 'down' }, 'velocityTarget'],
    [{ temporalRope: true, heads: 8 }, 'temporalRope'],
    [{ skiparseBlocks: [2] }, 'skiparseBlocks'],
    [{ ropeInterpolation: [1, 0, 1] }, 'ropeInterpolation'],
    [{ sampler: 'euler-rf' }, 'sampler'],
  ])('a stdit/osp config with %j is refused naming field %s', (over, field) => {
    const family = 'temporalRope' in over || 'velocityTarget' in over ? 'stdit' : 'osp';
    const cfg = { ...config(family), ...over };
    try {
      validateConfig(cfg, 'm/config.json');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as Error).message).toContain(field);
      expect((e as Error).message).toContain('m/config.json');
    }
  });

  it.each([
    [{ skiparse: 4, family: 'stdit' }, 'skiparse'],
    [{ rope3d: true, family: 'stdit' }, 'rope3d'],
    [{ timeShift: 2, prediction: 'v' }, 'timeShift'],
  ])('%j is refused where the option has no meaning (field %s)', (over, field) => {
    expect(() => validateConfig({ ...config('osp'), ...over }, 'c.json')).toThrow(new RegExp(field));
  });

  it('leaves the built-in position embedding exactly as it was (2-D sine-cosine plus the frame embedding)', () => {
    const cfg = config('stdit');
    const d = cfg.hiddenSize;
    const spatial = sincos2d(2, 3, d);
    const temporal = sincos1d(3, d);
    const got = positionTable(cfg);
    for (let f = 0; f < 3; f++) for (let n = 0; n < 6; n++) for (let k = 0; k < d; k++) {
      expect(got[(f * 6 + n) * d + k]).toBe(Math.fround(spatial[n * d + k] + temporal[f * d + k]));
    }
  });

  it('puts the column half first with positionFirstHalf column and scales grid positions by positionScale and positionBaseSize', () => {
    const cfg = config('stdit', { positionFirstHalf: 'column', positionScale: 0.5, positionBaseSize: 4, temporalPositionEmbedding: false });
    const d = cfg.hiddenSize;
    const got = positionTable(cfg);
    // Token (row 1, column 2) of frame 2: column position 2 / 0.5 · 4/3, row position 1 / 0.5 · 4/2.
    const token = 2 * 6 + 1 * 3 + 2;
    const col = (2 / 0.5) * (4 / 3);
    const row = (1 / 0.5) * (4 / 2);
    const quarter = d / 4;
    for (let i = 0; i < quarter; i++) {
      const w = 1 / Math.pow(10000, i / quarter);
      expect(got[token * d + i]).toBeCloseTo(Math.sin(col * w), 6);
      expect(got[token * d + quarter + i]).toBeCloseTo(Math.cos(col * w), 6);
      expect(got[token * d + 2 * quarter + i]).toBeCloseTo(Math.sin(row * w), 6);
      expect(got[token * d + 3 * quarter + i]).toBeCloseTo(Math.cos(row * w), 6);
    }
  });

  it('adds nothing with spatialPositionEmbedding none and no temporal embedding', () => {
    const got = positionTable(config('osp', { spatialPositionEmbedding: 'none', temporalPositionEmbedding: false }));
    expect(got.every((v) => v === 0)).toBe(true);
  });

  it('gives the learned null caption for the empty caption and the text encoder for the others', () => {
    const m = new DiffusionTransformer(validateConfig(config('stdit', { nullCaption: true })), { seed: 1 });
    const text = m.encodeCaptions(['cat', '']);
    const nul = m.params.get('nullCaption').dataSync();
    expect(Array.from(text.slice([1], [1]).dataSync())).toEqual(Array.from(nul));
    expect(Array.from(text.slice([0], [1]).dataSync())).not.toEqual(Array.from(nul));
    m.dispose();
  });
});

describe('a learned null caption with external text (Open-Sora 1.2)', () => {
  it("replaces the file's null entry and takes the conditional caption's mask, as Open-Sora 1.2 does", () => {
    const cfg = validateConfig({ ...config('stdit', { textEncoder: 'external', nullCaption: true, textLength: 3 }), vocabulary: [] });
    const m = new DiffusionTransformer(cfg, { seed: 1 });
    const L = 3;
    const W = cfg.textWidth;
    m.useConditioning({
      prompts: ['p'], length: L, width: W, embeddings: new Float32Array(L * W).fill(0.5), mask: Float32Array.of(1, 1, 0),
      nullEmbedding: new Float32Array(L * W).fill(-3), nullMask: Float32Array.of(1, 0, 0),
    });
    const text = m.encodeCaptions(['p', '']);
    expect(Array.from(text.slice([1], [1]).dataSync())).toEqual(Array.from(m.params.get('nullCaption').dataSync()));
    expect(Array.from(m.captionBias(['p', ''])!.dataSync())).toEqual([0, 0, -1e9, 0, 0, -1e9].map(Math.fround));
    m.dispose();
  });
});

describe('Skiparse attention', () => {
  /** Dense attention where token i sees token j only in the same sub-sequence: the definition, written out. */
  function masked(q: number[][], k: number[][], v: number[][], same: (i: number, j: number) => boolean): number[][] {
    return q.map((qi, i) => {
      const s = k.map((kj, j) => (same(i, j) ? qi.reduce((a, x, c) => a + x * kj[c], 0) : -Infinity));
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      return v[0].map((_, c) => e.reduce((a, w, j) => a + (w / z) * v[j][c], 0));
    });
  }

  it.each([['single', 2, 9], ['group', 2, 9], ['single', 3, 18], ['group', 3, 11]] as const)(
    '%s Skiparse with k = %i on %i tokens equals attention restricted to each sub-sequence',
    (kind, k, l) => {
      const rnd = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: 4 }, (_, c) => Math.sin(seed * 7.1 + i * 3.3 + c * 1.7)));
      const [q, key, v] = [rnd(l, 1), rnd(l, 2), rnd(l, 3)];
      // Sub-sequence of each token, from the definition (single: i mod k; group: ⌊i/k⌋ mod k).
      const sub = (i: number) => (kind === 'single' ? i % k : Math.floor(i / k) % k);
      const want = masked(q, key, v, (i, j) => sub(i) === sub(j));
      const t = (a: number[][]) => tf.tensor(a.flat(), [1, 1, l, 4]);
      const got = skiparseAttention(new TfOps({ get: () => { throw new Error('no parameters'); } }), t(q), t(key), t(v), kind, k).dataSync();
      want.flat().forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));
    });

  it('maps sub-sequence positions back to token indices as defined', () => {
    expect(Array.from({ length: 4 }, (_, p) => skiparseIndex('single', 2, 1, p))).toEqual([1, 3, 5, 7]);
    expect(Array.from({ length: 4 }, (_, p) => skiparseIndex('group', 2, 1, p))).toEqual([2, 3, 6, 7]);
  });

  it("follows v1.3's block order: dense blocks 0 and 1, then single in even and group in odd blocks up to 29", () => {
    expect([0, 1, 2, 3, 29, 30, 31].map((i) => skiparseKindOf(i))).toEqual([null, null, 'single', 'group', 'group', null, null]);
  });

  it('counts attention FLOPs over the k shorter sub-sequences (a third of the score work for k = 3 on 18 tokens)', () => {
    const dense = config('osp');
    const sparse = { ...dense, skiparse: 3, skiparseBlocks: [0, 2] as [number, number] };
    // Per block: two attention GEMMs of 2·L·dh·L·sequences·heads; dense L = 18 in 1 sequence, Skiparse L = 6 in 3.
    const perBlock = 2 * (2 * 18 * 12 * 18 * 2 - 2 * 6 * 12 * 6 * 3 * 2);
    expect(forwardFlops(dense, 1) - forwardFlops(sparse, 1)).toBe(2 * perBlock);
  });
});
