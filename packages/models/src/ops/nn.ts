import type { Ops } from './ops.js';

/**
 * The layers of the model families, written once against the op set: they run eagerly on tfjs (TfOps) and
 * record ONNX graphs (OnnxOps) alike. Parameters are looked up by name through the ops.
 */

/** x[..., in] · W + b of the linear layer `name` (weight [in, out], bias [out]). */
export function linear<T>(o: Ops<T>, name: string, x: T): T {
  return o.linear(x, o.param(`${name}.weight`), o.param(`${name}.bias`));
}

/** Layer norm over the last axis without affine parameters (DiT's adaLN blocks), eps 1e-6 unless given. */
export function layerNorm<T>(o: Ops<T>, x: T, eps = 1e-6): T {
  return o.normalize(x, eps);
}

/** Layer norm with learned scale `name.gamma` and bias `name.beta`. */
export function layerNormAffine<T>(o: Ops<T>, name: string, x: T, eps = 1e-5): T {
  return o.add(o.mul(layerNorm(o, x, eps), o.param(`${name}.gamma`)), o.param(`${name}.beta`));
}

/** adaLN modulation: x·(1 + scale) + shift, scale and shift broadcast over tokens ([B, 1, D]). */
export function modulate<T>(o: Ops<T>, xNorm: T, shift: T, scale: T): T {
  return o.add(o.mul(xNorm, o.add(scale, 1)), shift);
}

/** SiLU: x·sigmoid(x). */
export function silu<T>(o: Ops<T>, x: T): T {
  return o.mul(x, o.sigmoid(x));
}

/** GELU, tanh approximation (DiT's MLP): the engine's own op. */
export function gelu<T>(o: Ops<T>, x: T): T {
  return o.gelu(x);
}

/** GELU, tanh approximation, written out in the op set's elementwise ops (TfOps runs it). */
export function geluOps<T>(o: Ops<T>, x: T): T {
  // x·x·x, not pow: the wasm Pow kernel is a general power function and several times slower.
  const inner = o.mul(o.add(x, o.mul(o.mul(o.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return o.mul(o.mul(x, 0.5), o.add(o.tanh(inner), 1));
}

/** [S, L, heads·dh] → [S, heads, L, dh]; S is the batch-dependent axis. */
export function splitHeads<T>(o: Ops<T>, x: T, heads: number): T {
  const [, l, d] = o.shape(x);
  return o.transpose(o.reshape(x, [-1, l, heads, d / heads]), [0, 2, 1, 3]);
}

/** [S, heads, L, dh] → [S, L, heads·dh]. */
export function mergeHeads<T>(o: Ops<T>, x: T): T {
  const [, h, l, dh] = o.shape(x);
  return o.reshape(o.transpose(x, [0, 2, 1, 3]), [-1, l, h * dh]);
}

/**
 * Scaled dot-product attention over all heads and sequences at once: q [S, Lq, D], k, v [S, Lk, D]. keyBias [S, Lk]
 * (0 for keys attended to, a large negative number for padding) masks keys. Unmasked, the engine's own attention op.
 */
export function attention<T>(o: Ops<T>, q: T, k: T, v: T, heads: number, keyBias?: T): T {
  return keyBias ? attentionOps(o, q, k, v, heads, keyBias) : o.attention(q, k, v, heads);
}

/** `attention` written out in the op set's elementwise ops, matMuls and softmax (TfOps runs it; masks need it). */
export function attentionOps<T>(o: Ops<T>, q: T, k: T, v: T, heads: number, keyBias?: T): T {
  const d = o.shape(q)[2];
  const qh = splitHeads(o, o.mul(q, 1 / Math.sqrt(d / heads)), heads);
  const scores = o.matMul(qh, splitHeads(o, k, heads), false, true);
  const masked = keyBias ? o.add(scores, o.reshape(keyBias, [-1, 1, 1, o.shape(keyBias)[1]])) : scores;
  return mergeHeads(o, o.matMul(o.softmax(masked), splitHeads(o, v, heads)));
}

/** Self-attention with a fused qkv projection `name.qkv` and output `name.proj`: x [S, L, D] → [S, L, D]. */
export function selfAttention<T>(o: Ops<T>, name: string, x: T, heads: number): T {
  const d = o.shape(x)[2];
  const [q, k, v] = o.split(linear(o, `${name}.qkv`, x), [d, d, d], -1);
  return linear(o, `${name}.proj`, attention(o, q, k, v, heads));
}

/** Cross-attention from tokens x [B, T, D] to text tokens y [B, L, Dt] (`name.q`, `name.kv`, `name.proj`); keyBias [B, L] masks padding. */
export function crossAttention<T>(o: Ops<T>, name: string, x: T, y: T, heads: number, keyBias?: T): T {
  const d = o.shape(x)[2];
  const [k, v] = o.split(linear(o, `${name}.kv`, y), [d, d], -1);
  return linear(o, `${name}.proj`, attention(o, linear(o, `${name}.q`, x), k, v, heads, keyBias));
}

/** RMS norm over the last axis with a learned scale: x / √(mean(x²) + eps) · weight (eps 1e-6, as LLaMA's). */
export function rmsNorm<T>(o: Ops<T>, x: T, weight: T, eps = 1e-6): T {
  return o.mul(o.mul(x, o.rsqrt(o.add(o.mean(o.mul(x, x), -1, true), eps))), weight);
}

/** Two-layer MLP with GELU (`name.fc1`, `name.fc2`). */
export function mlp<T>(o: Ops<T>, name: string, x: T): T {
  return linear(o, `${name}.fc2`, gelu(o, linear(o, `${name}.fc1`, x)));
}

/** The frequencies of the sinusoidal timestep features: exp(−ln(10000)·i/half), i < half. */
export function timestepFrequencies(dim: number): Float32Array {
  const half = Math.floor(dim / 2);
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / half);
  return freqs;
}

/** Sinusoidal features of timesteps t [B] (model units, 0..999): [B, dim], cos then sin, max period 10000. */
export function timestepFeatures<T>(o: Ops<T>, t: T, dim: number): T {
  const half = Math.floor(dim / 2);
  const args = o.mul(o.reshape(t, [-1, 1]), o.constant(`timestep-frequencies-${dim}`, [1, half], () => timestepFrequencies(dim)));
  return o.concat([o.cos(args), o.sin(args)], 1);
}

/** [B, F, H, W, C] → [B, F·(H/p)·(W/p), p·p·C], frame-major then row-major patches. */
export function patchify<T>(o: Ops<T>, x: T, p: number): T {
  const [, f, h, w, c] = o.shape(x);
  const [gh, gw] = [h / p, w / p];
  const grid = o.transpose(o.reshape(x, [-1, gh, p, gw, p * c]), [0, 1, 3, 2, 4]);
  return o.reshape(grid, [-1, f * gh * gw, p * p * c]);
}

/** Inverse of patchify: [B, F·gh·gw, p·p·C] → [B, F, H, W, C]. */
export function unpatchify<T>(o: Ops<T>, tokens: T, p: number, frames: number, h: number, w: number, c: number): T {
  const [gh, gw] = [h / p, w / p];
  const grid = o.transpose(o.reshape(tokens, [-1, gh, gw, p, p * c]), [0, 1, 3, 2, 4]);
  return o.reshape(grid, [-1, frames, h, w, c]);
}
