/** Parameter declarations of the layers (their computation is in ops/nn.ts, written once for both engines) and fixed position tables. */
import type { ParamStore } from './params.js';

/** Declare a linear layer's weight [in, out] (xavier) and bias [out] (zeros, or as given). */
export function declareLinear(p: ParamStore, name: string, inDim: number, outDim: number, init: 'xavier' | 'zeros' | 'normal' = 'xavier', std?: number): void {
  p.declare(`${name}.weight`, { shape: [inDim, outDim], init, std });
  p.declare(`${name}.bias`, { shape: [outDim], init: 'zeros' });
}

/** Declare a layer norm's learned scale (ones) and bias (zeros). */
export function declareLayerNormAffine(p: ParamStore, name: string, dim: number): void {
  p.declare(`${name}.gamma`, { shape: [dim], init: 'ones' });
  p.declare(`${name}.beta`, { shape: [dim], init: 'zeros' });
}

/** Declare self-attention's fused qkv projection and output projection. */
export function declareSelfAttention(p: ParamStore, name: string, dim: number): void {
  declareLinear(p, `${name}.qkv`, dim, 3 * dim);
  declareLinear(p, `${name}.proj`, dim, dim);
}

/** Declare cross-attention's q, kv (from the text width) and output projection (zeros). */
export function declareCrossAttention(p: ParamStore, name: string, dim: number, textDim: number): void {
  declareLinear(p, `${name}.q`, dim, dim);
  declareLinear(p, `${name}.kv`, textDim, 2 * dim);
  declareLinear(p, `${name}.proj`, dim, dim, 'zeros');
}

/** Declare the two layers of an MLP. */
export function declareMlp(p: ParamStore, name: string, dim: number, hidden: number): void {
  declareLinear(p, `${name}.fc1`, dim, hidden);
  declareLinear(p, `${name}.fc2`, hidden, dim);
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
