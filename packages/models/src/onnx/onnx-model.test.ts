import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend.js';
import { FAMILIES, type Family, type ModelConfig } from '../config.js';
import { DiffusionTransformer, disposeEmbed } from '../model.js';
import { OnnxTransformer } from './onnx-model.js';

function config(family: Family): ModelConfig {
  return {
    family, hiddenSize: 32, depth: 4, heads: 4, mlpRatio: 2, patchSize: 2, frames: family === 'dit' ? 1 : 3,
    height: 8, width: 4, channels: 3, textWidth: 16, textLayers: 1, textHeads: 2, textLength: 4,
    vocabulary: ['<pad>', '<unk>', 'cat', 'left'], prediction: family === 'stdit' ? 'velocity' : 'epsilon',
    timestepFrequencies: 16,
  };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe.each(FAMILIES)('the %s family on the onnx engine', (family) => {
  let tfModel: DiffusionTransformer;
  let onnx: OnnxTransformer;
  beforeAll(() => {
    tfModel = new DiffusionTransformer(config(family), { seed: 7, zeroInit: false });
    onnx = new OnnxTransformer(tfModel, { providers: ['cpu'], threads: 1 });
  });
  afterAll(() => {
    onnx.dispose();
    tfModel.dispose();
  });

  test.each([1, 2])('embed outputs, modulated input, stack output and prediction equal tfjs within 1e-4 at batch %i', (batch) => {
    const c = tfModel.config;
    const x = tf.randomNormal([batch, c.frames, c.height, c.width, c.channels], 0, 1, 'float32', 3);
    const t = tf.tensor1d(Array.from({ length: batch }, (_, i) => 50 + 400 * i));
    const text = tfModel.encodeCaptions(['cat left', ''].slice(0, batch));
    const a = tfModel.embed(x, t, text);
    const b = onnx.embed(x, t, text);
    const keys = ['noisyTokens', 'tokens', 'timestepEmbedding', 'modulated', 'condition', 'text'] as const;
    const diffs = keys.map((k) => [k, maxAbsDiff(a[k], b[k])] as const);
    expect(diffs.filter(([, d]) => !(d < 1e-4))).toEqual([]);
    const [sa, sb] = [tfModel.stack(a), onnx.stack(b)];
    expect(maxAbsDiff(sa, sb)).toBeLessThan(1e-4);
    // The split a first-block cache uses: block 0 alone, then the rest from its output.
    const [fa, fb] = [tfModel.blocks(a.tokens, a, 0, 1), onnx.blocks(b.tokens, b, 0, 1)];
    expect(maxAbsDiff(fa, fb)).toBeLessThan(1e-4);
    const [ra, rb] = [tfModel.blocks(fa, a, 1), onnx.blocks(fb, b, 1)];
    expect(maxAbsDiff(ra, rb)).toBeLessThan(1e-4);
    const [pa, pb] = [tfModel.head(sa, a), onnx.head(sb, b)];
    expect(maxAbsDiff(pa, pb)).toBeLessThan(1e-4);
    // The prediction is not trivially small: the bound means something.
    expect(tf.tidy(() => tf.max(tf.abs(pa)).dataSync()[0])).toBeGreaterThan(0.05);
    tf.dispose([x, t, text, sa, sb, fa, fb, ra, rb, pa, pb]);
    disposeEmbed(a);
    disposeEmbed(b);
  });
});

test('a stack whose weights pass the graph limit runs as several graphs in turn, with the same output', () => {
  const cfg = config('stdit');
  const tfModel = new DiffusionTransformer(cfg, { seed: 7, zeroInit: false });
  const blockBytes = (i: number) => {
    let n = 0;
    for (const [name, spec] of tfModel.params.specs) if (name.startsWith(`blocks.${i}.`)) n += 4 * spec.shape.reduce((a, b) => a * b, 1);
    return n;
  };
  // Every block of this config holds the same weights (47 kB): a limit of two and a half blocks puts two in each graph.
  expect([1, 2, 3].map(blockBytes)).toEqual([0, 0, 0].map(() => blockBytes(0)));
  const whole = new OnnxTransformer(tfModel, { providers: ['cpu'], threads: 1 });
  const split = new OnnxTransformer(tfModel, { providers: ['cpu'], threads: 1 }, 2.5 * blockBytes(0));
  try {
    expect(whole.blockGraphs()).toEqual([[0, 4]]);
    // Split anyway, the stack shares its boundaries with a first-block cache's ranges: block 0 alone, then two per graph.
    expect(split.sharedBounds()).toEqual([0, 1, 3, 4]);
    expect(whole.sharedBounds()).toBeNull();
    expect(split.blockGraphs()).toEqual([[0, 1], [1, 3], [3, 4]]);
    expect(split.blockGraphs(1, 4)).toEqual([[1, 3], [3, 4]]);
    expect(split.blockGraphs(0, 1)).toEqual([[0, 1]]);
    expect(split.blockGraphs(2, 4)).toEqual([[2, 4]]); // not at shared boundaries: split on its own
    const x = tf.randomNormal([2, cfg.frames, cfg.height, cfg.width, cfg.channels], 0, 1, 'float32', 5);
    const t = tf.tensor1d([50, 450]);
    const text = tfModel.encodeCaptions(['cat left', '']);
    const e = whole.embed(x, t, text);
    const [a, b, ref] = [whole.stack(e), split.stack(e), tfModel.stack(e)];
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    expect(maxAbsDiff(b, ref)).toBeLessThan(1e-4);
    const [c, d] = [whole.blocks(e.tokens, e, 1, 4), split.blocks(e.tokens, e, 1, 4)];
    expect(maxAbsDiff(c, d)).toBeLessThan(1e-6);
    const [f, g] = [whole.blocks(e.tokens, e, 0, 1), split.blocks(e.tokens, e, 0, 1)];
    expect(maxAbsDiff(f, g)).toBeLessThan(1e-6);
    // The stack, then a first-block cache's two ranges: one set of block graphs, no weight held twice.
    expect(split.builtGraphs().filter((k) => k.startsWith('blocks')).sort()).toEqual(['blocks0-1', 'blocks1-3', 'blocks3-4']);
    expect(whole.builtGraphs().filter((k) => k.startsWith('blocks')).sort()).toEqual(['blocks0-1', 'blocks0-4', 'blocks1-4']);
    tf.dispose([x, t, text, a, b, ref, c, d, f, g]);
    disposeEmbed(e);
  } finally {
    split.dispose();
    whole.dispose();
    tfModel.dispose();
  }
});
