import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';

/** Declare a linear layer's weight [in, out] (xavier) and bias [out] (zeros, or as given). */
export function declareLinear(p: ParamStore, name: string, inDim: number, outDim: number, init: 'xavier' | 'zeros' | 'normal' = 'xavier', std?: number): void {
  p.declare(`${name}.weight`, { shape: [inDim, outDim], init, std });
  p.declare(`${name}.bias`, { shape: [outDim], init: 'zeros' });
}

/** x[..., in] · W + b with an optional fused activation; one GEMM over all leading dims. */
export function linear(p: ParamStore, name: string, x: tf.Tensor, activation?: 'relu'): tf.Tensor {
  const w = p.get(`${name}.weight`);
  const b = p.get(`${name}.bias`);
  const [inDim, outDim] = w.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inDim]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias: b, activation: activation ?? 'linear' });
  return x.rank === 2 ? y : y.reshape([...lead, outDim]);
}

/** Layer norm over the last axis without affine parameters (as DiT's adaLN blocks use), eps 1e-6. */
export function layerNorm(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  // Written out rather than tf.moments: a multiply is cheaper than the wasm Square kernel it uses.
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.mul(centred, centred), -1, true);
  return tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
}

/** Layer norm with learned scale and bias (the text encoder's). */
export function layerNormAffine(p: ParamStore, name: string, x: tf.Tensor, eps = 1e-5): tf.Tensor {
  return tf.add(tf.mul(layerNorm(x, eps), p.get(`${name}.gamma`)), p.get(`${name}.beta`));
}

export function declareLayerNormAffine(p: ParamStore, name: string, dim: number): void {
  p.declare(`${name}.gamma`, { shape: [dim], init: 'ones' });
  p.declare(`${name}.beta`, { shape: [dim], init: 'zeros' });
}

/** adaLN modulation: x·(1 + scale) + shift, with scale and shift broadcast over tokens ([B, 1, D]). */
export function modulate(xNorm: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(xNorm, tf.add(scale, 1)), shift);
}

/** SiLU: x·sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** GELU, tanh approximation (as DiT's MLP uses). */
export function gelu(x: tf.Tensor): tf.Tensor {
  // x·x·x, not pow: the wasm Pow kernel is a general power function and several times slower.
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Split [S, L, heads·dh] into [S, heads, L, dh]. */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [s, l, d] = x.shape;
  return x.reshape([s, l, heads, d / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
}

/** Scaled dot-product attention, all heads and sequences in one batched GEMM: q [S, Lq, D], k, v [S, Lk, D]. */
export function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number, keyBias?: tf.Tensor): tf.Tensor3D {
  const [s, lq, d] = q.shape;
  const dh = d / heads;
  const qh = splitHeads(tf.mul(q, 1 / Math.sqrt(dh)), heads);
  const kh = splitHeads(k, heads);
  const vh = splitHeads(v, heads);
  const scores = tf.matMul(qh, kh, false, true);
  // keyBias [S, Lk]: 0 for keys attended to, a large negative number for padding (masked keys).
  const weights = tf.softmax(keyBias ? tf.add(scores, keyBias.reshape([s, 1, 1, -1])) : scores);
  const out = tf.matMul(weights, vh);
  return out.transpose([0, 2, 1, 3]).reshape([s, lq, d]) as tf.Tensor3D;
}

/** Self-attention with a fused qkv projection: x [S, L, D] → [S, L, D]. */
export function selfAttention(p: ParamStore, name: string, x: tf.Tensor, heads: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const qkv = linear(p, `${name}.qkv`, x);
  const [q, k, v] = tf.split(qkv, [d, d, d], -1);
  return linear(p, `${name}.proj`, attention(q, k, v, heads));
}

export function declareSelfAttention(p: ParamStore, name: string, dim: number): void {
  declareLinear(p, `${name}.qkv`, dim, 3 * dim);
  declareLinear(p, `${name}.proj`, dim, dim);
}

/** Cross-attention from tokens x [B, T, D] to text tokens y [B, L, Dt]; keyBias [B, L] masks padding tokens. */
export function crossAttention(p: ParamStore, name: string, x: tf.Tensor, y: tf.Tensor, heads: number, keyBias?: tf.Tensor): tf.Tensor {
  const d = x.shape[x.rank - 1];
  const q = linear(p, `${name}.q`, x);
  const kv = linear(p, `${name}.kv`, y);
  const [k, v] = tf.split(kv, [d, d], -1);
  return linear(p, `${name}.proj`, attention(q, k, v, heads, keyBias));
}

export function declareCrossAttention(p: ParamStore, name: string, dim: number, textDim: number): void {
  declareLinear(p, `${name}.q`, dim, dim);
  declareLinear(p, `${name}.kv`, textDim, 2 * dim);
  declareLinear(p, `${name}.proj`, dim, dim, 'zeros');
}

/** Two-layer MLP with GELU. */
export function mlp(p: ParamStore, name: string, x: tf.Tensor): tf.Tensor {
  return linear(p, `${name}.fc2`, gelu(linear(p, `${name}.fc1`, x)));
}

export function declareMlp(p: ParamStore, name: string, dim: number, hidden: number): void {
  declareLinear(p, `${name}.fc1`, dim, hidden);
  declareLinear(p, `${name}.fc2`, hidden, dim);
}

/** Sinusoidal features of timesteps t (model units, e.g. 0..999): [B, dim], cos then sin, max period 10000. */
export function timestepFeatures(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = Math.floor(dim / 2);
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / half);
  const args = tf.mul(t.reshape([-1, 1]), tf.tensor2d(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}

/** Fixed 1-D sine-cosine position embedding: [n, dim]. */
export function sincos1d(n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  const half = dim / 2;
  for (let pos = 0; pos < n; pos++) {
    for (let i = 0; i < half; i++) {
      const omega = 1 / Math.pow(10000, i / half);
      out[pos * dim + i] = Math.sin(pos * omega);
      out[pos * dim + half + i] = Math.cos(pos * omega);
    }
  }
  return out;
}

/**
 * Fixed 2-D sine-cosine position embedding for a gh×gw grid: [gh·gw, dim] (half the width per axis).
 * firstHalf says which axis the first half encodes: 'row' (the built-in models) or 'column' (DiT and
 * Latte, whose grid is built x-first and so put the column position first).
 */
export function sincos2d(gh: number, gw: number, dim: number, firstHalf: 'row' | 'column' = 'row'): Float32Array {
  const half = dim / 2;
  const rows = sincos1d(gh, half);
  const cols = sincos1d(gw, half);
  const out = new Float32Array(gh * gw * dim);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const o = (y * gw + x) * dim;
      const r = rows.subarray(y * half, (y + 1) * half);
      const c = cols.subarray(x * half, (x + 1) * half);
      out.set(firstHalf === 'row' ? r : c, o);
      out.set(firstHalf === 'row' ? c : r, o + half);
    }
  }
  return out;
}

/** [B, F, H, W, C] → [B, F·(H/p)·(W/p), p·p·C], frame-major then row-major patches. */
export function patchify(x: tf.Tensor, p: number): tf.Tensor3D {
  const [b, f, h, w, c] = x.shape;
  const gh = h / p;
  const gw = w / p;
  return x.reshape([b * f, gh, p, gw, p * c]).transpose([0, 1, 3, 2, 4]).reshape([b, f * gh * gw, p * p * c]) as tf.Tensor3D;
}

/** Inverse of patchify: [B, F·gh·gw, p·p·C] → [B, F, H, W, C]. */
export function unpatchify(tokens: tf.Tensor, p: number, frames: number, h: number, w: number, c: number): tf.Tensor {
  const b = tokens.shape[0];
  const gh = h / p;
  const gw = w / p;
  return tokens.reshape([b * frames, gh, gw, p, p * c]).transpose([0, 1, 3, 2, 4]).reshape([b, frames, h, w, c]);
}
