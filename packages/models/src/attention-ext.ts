import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './params.js';
import { linear } from './layers.js';
import { applyRope, type RopeTable } from './rope.js';
import { skiparseAttention, type SkiparseKind } from './skiparse.js';

/** What a self-attention adds to plain scaled dot-product attention: per-head qk RMSNorm and rotary positions. */
export interface AttentionExtras {
  qkNorm: boolean;
  /** Rotation table [L, headDim] for the sequence axis, or null for none. */
  rope: RopeTable | null;
  /** Skiparse sparse attention with ratio k over the whole sequence, or null for dense attention. */
  skiparse?: { kind: SkiparseKind; k: number } | null;
}

/** RMS norm over the last axis with a learned scale: x / √(mean(x²) + eps) · weight (eps 1e-6, as LLaMA's). */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), eps))), weight);
}

/** Declare the per-head q and k RMSNorm scales of a self-attention (ones, as trained from). */
export function declareQkNorm(p: ParamStore, name: string, headDim: number): void {
  p.declare(`${name}.qNorm.weight`, { shape: [headDim], init: 'ones' });
  p.declare(`${name}.kNorm.weight`, { shape: [headDim], init: 'ones' });
}

/** [S, L, D] → [S, heads, L, dh]. */
function heads4(x: tf.Tensor, heads: number): tf.Tensor {
  const [s, l, d] = x.shape;
  return x.reshape([s, l, heads, d / heads]).transpose([0, 2, 1, 3]);
}

/** Self-attention (fused qkv) with qk-norm and RoPE applied per head, in that order, dense or Skiparse: x [S, L, D] → [S, L, D]. */
export function selfAttentionWith(p: ParamStore, name: string, x: tf.Tensor, heads: number, extras: AttentionExtras): tf.Tensor {
  const [s, l, d] = x.shape;
  const [q0, k0, v0] = tf.split(linear(p, `${name}.qkv`, x), [d, d, d], -1);
  let q = heads4(q0, heads);
  let k = heads4(k0, heads);
  if (extras.qkNorm) {
    q = rmsNorm(q, p.get(`${name}.qNorm.weight`));
    k = rmsNorm(k, p.get(`${name}.kNorm.weight`));
  }
  if (extras.rope) {
    q = applyRope(q, extras.rope);
    k = applyRope(k, extras.rope);
  }
  const qs = tf.mul(q, 1 / Math.sqrt(d / heads));
  const v = heads4(v0, heads);
  const o = extras.skiparse
    ? skiparseAttention(qs, k, v, extras.skiparse.kind, extras.skiparse.k)
    : tf.matMul(tf.softmax(tf.matMul(qs, k, false, true)), v);
  const out = o.transpose([0, 2, 1, 3]).reshape([s, l, d]);
  return linear(p, `${name}.proj`, out);
}
