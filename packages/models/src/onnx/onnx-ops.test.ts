import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend.js';
import { ParamStore } from '../params.js';
import * as nn from '../ops/nn.js';
import type { Ops } from '../ops/ops.js';
import { TfOps } from '../ops/tf-ops.js';
import { GraphBuilder, type Sym } from './graph.js';
import { OnnxOps, broadcastShapes } from './onnx-ops.js';
import { OrtSession } from './runtime.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Random parameters of a block-sized model: linear layers of a DiT block plus cross-attention. */
function params(d: number, textWidth: number): ParamStore {
  const p = new ParamStore(11);
  const lin = (name: string, i: number, o: number) => {
    p.declare(`${name}.weight`, { shape: [i, o], init: 'xavier' });
    p.declare(`${name}.bias`, { shape: [o], init: 'normal', std: 0.1 });
  };
  lin('attn.qkv', d, 3 * d);
  lin('attn.proj', d, d);
  lin('cross.q', d, d);
  lin('cross.kv', textWidth, 2 * d);
  lin('cross.proj', d, d);
  lin('mlp.fc1', d, 2 * d);
  lin('mlp.fc2', 2 * d, d);
  p.declare('norm.gamma', { shape: [d], init: 'normal', std: 1 });
  p.declare('norm.beta', { shape: [d], init: 'normal', std: 1 });
  return p;
}

/** Trace `build` at the inputs' shapes with batch 1, then run the graph on the full inputs. */
function runOnnx(p: ParamStore, inputs: Record<string, tf.Tensor>, build: <T>(o: Ops<T>, x: Record<string, T>) => T): Float32Array {
  const g = new GraphBuilder('test');
  const o = new OnnxOps(g, (name) => ({ shape: p.get(name).shape, values: p.get(name).dataSync() as Float32Array }));
  const syms: Record<string, Sym> = {};
  for (const [name, t] of Object.entries(inputs)) syms[name] = g.input(name, [1, ...t.shape.slice(1)]);
  g.output('y', build(o, syms));
  const s = new OrtSession(g.encode(), { providers: ['cpu'], threads: 1 });
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = { data: t.dataSync() as Float32Array, dims: t.shape };
  const out = s.run(feeds).y;
  s.dispose();
  return out.data;
}

function runTf(p: ParamStore, inputs: Record<string, tf.Tensor>, build: <T>(o: Ops<T>, x: Record<string, T>) => T): tf.Tensor {
  const o = new TfOps(p);
  const y = tf.tidy(() => build(o, inputs));
  o.dispose();
  return y;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const D = 24;
const HEADS = 4;
const cases: [string, <T>(o: Ops<T>, x: Record<string, T>) => T][] = [
  ['linear', (o, x) => nn.linear(o, 'attn.qkv', x.x)],
  ['layerNorm', (o, x) => nn.layerNorm(o, x.x)],
  ['layerNormAffine', (o, x) => nn.layerNormAffine(o, 'norm', x.x)],
  ['modulate', (o, x) => nn.modulate(o, nn.layerNorm(o, x.x), o.slice(x.c, [0, 0, 0], [-1, 1, D]), o.slice(x.c, [0, 1, 0], [-1, 1, D]))],
  ['silu and gelu', (o, x) => nn.gelu(o, nn.silu(o, x.x))],
  ['selfAttention', (o, x) => nn.selfAttention(o, 'attn', x.x, HEADS)],
  ['crossAttention', (o, x) => nn.crossAttention(o, 'cross', x.x, x.text, HEADS)],
  ['mlp', (o, x) => nn.mlp(o, 'mlp', x.x)],
  ['timestepFeatures', (o, x) => nn.timestepFeatures(o, x.t, 16)],
  ['patchify then unpatchify of a projection', (o, x) => nn.unpatchify(o, nn.patchify(o, x.video, 2), 2, 3, 4, 6, 2)],
  ['a DiT block (modulate, attention, gated residuals, MLP)', (o, x) => {
    const [shift, scale, gate] = o.split(x.c, 3, 1);
    const a = nn.selfAttention(o, 'attn', nn.modulate(o, nn.layerNorm(o, x.x), shift, scale), HEADS);
    const h = o.add(x.x, o.mul(gate, a));
    const h2 = o.add(h, nn.crossAttention(o, 'cross', h, x.text, HEADS));
    return o.add(h2, o.mul(gate, nn.mlp(o, 'mlp', nn.modulate(o, nn.layerNorm(o, h2), shift, scale))));
  }],
];

describe('the op set on ONNX Runtime', () => {
  let p: ParamStore;
  let inputs: Record<'x' | 'c' | 'text' | 't' | 'video', tf.Tensor>;
  beforeAll(() => {
    p = params(D, 8);
    inputs = {
      x: tf.randomNormal([2, 10, D], 0, 1, 'float32', 1),
      c: tf.randomNormal([2, 3, D], 0, 0.5, 'float32', 2),
      text: tf.randomNormal([2, 5, 8], 0, 1, 'float32', 3),
      t: tf.tensor1d([17, 901]),
      video: tf.randomNormal([2, 3, 4, 6, 2], 0, 1, 'float32', 4),
    };
  });
  afterAll(() => {
    tf.dispose(Object.values(inputs));
    p.dispose();
  });

  test.each(cases)('%s equals tfjs within 1e-4, on a graph traced at batch 1 and run at batch 2', (_, build) => {
    const used = Object.fromEntries(Object.entries(inputs).filter(([k]) => build.toString().includes(`x.${k}`)));
    const y = runTf(p, used, build);
    const onnx = runOnnx(p, used, build);
    expect(maxAbsDiff(onnx, y.dataSync())).toBeLessThan(1e-4);
    y.dispose();
  });

  test('attention is one fused node on ONNX Runtime and equals the op-by-op attention within 1e-5, for self and cross lengths', () => {
    const g = new GraphBuilder('fused');
    const o = new OnnxOps(g, () => { throw new Error('no weights'); });
    nn.attention(o, g.input('q', [1, 10, D]), g.input('k', [1, 5, D]), g.input('v', [1, 5, D]), HEADS);
    expect(g.stats().nodes).toBe(1);
    for (const [lq, lk] of [[10, 10], [10, 5]]) {
      const qkv = { q: tf.randomNormal([2, lq, D], 0, 1, 'float32', 5), k: tf.randomNormal([2, lk, D], 0, 1, 'float32', 6), v: tf.randomNormal([2, lk, D], 0, 1, 'float32', 7) };
      const y = runTf(p, qkv, (o2, x) => nn.attentionOps(o2, x.q, x.k, x.v, HEADS));
      expect(maxAbsDiff(runOnnx(p, qkv, (o2, x) => o2.attention(x.q, x.k, x.v, HEADS)), y.dataSync())).toBeLessThan(1e-5);
      tf.dispose([y, ...Object.values(qkv)]);
    }
  });

  test('gelu is one fused node on ONNX Runtime, equal to the written-out tanh approximation and to a hand computation', () => {
    const g = new GraphBuilder('gelu');
    nn.gelu(new OnnxOps(g, () => { throw new Error('no weights'); }), g.input('x', [1, 4]));
    expect(g.stats().nodes).toBe(1);
    const x = tf.tensor2d([[-3, -0.5, 0, 0.5], [1, 2, 4, -1]]);
    const y = runTf(p, { x }, (o, v) => nn.geluOps(o, v.x));
    const onnx = runOnnx(p, { x }, (o, v) => o.gelu(v.x));
    expect(maxAbsDiff(onnx, y.dataSync())).toBeLessThan(1e-6);
    const hand = [-3, -0.5, 0, 0.5, 1, 2, 4, -1].map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expect(maxAbsDiff(onnx, hand)).toBeLessThan(1e-6);
    tf.dispose([x, y]);
  });

  test('fused attention matches a hand computation: one query, two keys, one head', () => {
    // scores q·k/√2 = [1/√2, 0]: weights e^a/(e^a + 1), values 1 and 3 per dimension.
    const inputs = { q: tf.tensor3d([[[1, 0]]]), k: tf.tensor3d([[[1, 0], [0, 1]]]), v: tf.tensor3d([[[1, 1], [3, 3]]]) };
    const w = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    const expected = [w + 3 * (1 - w), w + 3 * (1 - w)];
    expect(maxAbsDiff(runOnnx(p, inputs, (o, x) => o.attention(x.q, x.k, x.v, 1)), expected)).toBeLessThan(1e-6);
    tf.dispose(Object.values(inputs));
  });

  test('cross-attention with a key mask (the written-out path) equals tfjs within 1e-4 and ignores the masked keys', () => {
    const bias = tf.tensor2d([[0, 0, 0, -1e9, -1e9], [0, 0, 0, 0, -1e9]]);
    const build = <T>(o: Ops<T>, x: Record<string, T>) => nn.crossAttention(o, 'cross', x.x, x.text, HEADS, x.bias);
    const used = { x: inputs.x, text: inputs.text, bias };
    const y = runTf(p, used, build);
    expect(maxAbsDiff(runOnnx(p, used, build), y.dataSync())).toBeLessThan(1e-4);
    // Changing a masked key's text changes nothing.
    const text2 = tf.tidy(() => tf.concat([tf.slice(inputs.text, [0, 0, 0], [2, 4, 8]), tf.fill([2, 1, 8], 9)], 1));
    const y2 = runTf(p, { ...used, text: text2 }, build);
    expect(maxAbsDiff(y2.dataSync(), y.dataSync())).toBeLessThan(1e-6);
    tf.dispose([bias, y, y2, text2]);
  });

  test('layerNorm on ONNX Runtime matches a hand computation', () => {
    const x = tf.tensor3d([[[1, 2, 3, 6]]]);
    const onnx = runOnnx(p, { x }, (o, v) => nn.layerNorm(o, v.x));
    const mean = 3;
    const variance = (4 + 1 + 0 + 9) / 4;
    const expected = [1, 2, 3, 6].map((v) => (v - mean) / Math.sqrt(variance + 1e-6));
    expect(maxAbsDiff(onnx, expected)).toBeLessThan(1e-6);
    x.dispose();
  });
});

describe('the ONNX graph builder', () => {
  test('refuses a reshape whose element count differs, naming both shapes', () => {
    const g = new GraphBuilder('bad');
    const o = new OnnxOps(g, () => { throw new Error('no weights'); });
    const x = g.input('x', [1, 6, 4]);
    expect(() => o.reshape(x, [-1, 5])).toThrow('reshape [1,6,4] → [-1,5]: element counts differ');
    expect(() => o.reshape(x, [-1, -1])).toThrow('more than one -1');
  });

  test('refuses a matMul whose inner sizes differ', () => {
    const g = new GraphBuilder('bad');
    const o = new OnnxOps(g, () => { throw new Error('no weights'); });
    expect(() => o.matMul(g.input('a', [1, 3, 4]), g.input('b', [1, 5, 2]))).toThrow('inner sizes 4 and 5 differ');
  });

  test('broadcasts shapes as numpy does, and refuses shapes that do not', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow('do not broadcast');
  });

  test('a slice of size -1 on the batch axis keeps every row at any batch; a fixed size keeps that many', () => {
    const g = new GraphBuilder('slice');
    const o = new OnnxOps(g, () => { throw new Error('no weights'); });
    const x = g.input('x', [1, 3]);
    g.output('all', o.slice(x, [0, 1], [-1, 2]));
    g.output('first', o.slice(x, [0, 0], [1, 3]), false);
    const s = new OrtSession(g.encode(), { providers: ['cpu'], threads: 1 });
    const out = s.run({ x: { data: Float32Array.of(1, 2, 3, 4, 5, 6), dims: [2, 3] } });
    expect(Array.from(out.all.data)).toEqual([2, 3, 5, 6]);
    expect(Array.from(out.first.data)).toEqual([1, 2, 3]);
    s.dispose();
  });

  test('a session names a missing input', () => {
    const g = new GraphBuilder('in');
    const o = new OnnxOps(g, () => { throw new Error('no weights'); });
    g.output('y', o.add(g.input('x', [1, 2]), 1));
    const s = new OrtSession(g.encode(), { providers: ['cpu'], threads: 1 });
    expect(() => s.run({})).toThrow('input "x" not given');
    s.dispose();
  });
});
