import type { ParamStore } from './params.js';
import { linear, rmsNorm, splitHeads, mergeHeads } from './ops/nn.js';
import type { Ops } from './ops/ops.js';
import { applyRope, type RopeTable } from './rope.js';
import { skiparseAttention, type SkiparseKind } from './skiparse.js';

export { rmsNorm };

/** What a self-attention adds to plain scaled dot-product attention: per-head qk RMSNorm and rotary positions. */
export interface AttentionExtras<T> {
  qkNorm: boolean;
  /** Rotation table [L, headDim] for the sequence axis, or null for none. */
  rope: RopeTable<T> | null;
  /** Skiparse sparse attention with ratio k over the whole sequence, or null for dense attention. */
  skiparse?: { kind: SkiparseKind; k: number } | null;
}

/** Declare the per-head q and k RMSNorm scales of a self-attention (ones, as trained from). */
export function declareQkNorm(p: ParamStore, name: string, headDim: number): void {
  p.declare(`${name}.qNorm.weight`, { shape: [headDim], init: 'ones' });
  p.declare(`${name}.kNorm.weight`, { shape: [headDim], init: 'ones' });
}

/** Self-attention (fused qkv) with qk-norm and RoPE applied per head, in that order, dense or Skiparse: x [S, L, D] → [S, L, D]. */
export function selfAttentionWith<T>(o: Ops<T>, name: string, x: T, heads: number, extras: AttentionExtras<T>): T {
  const d = o.shape(x)[2];
  const [q0, k0, v0] = o.split(linear(o, `${name}.qkv`, x), [d, d, d], -1);
  let q = splitHeads(o, q0, heads);
  let k = splitHeads(o, k0, heads);
  if (extras.qkNorm) {
    q = rmsNorm(o, q, o.param(`${name}.qNorm.weight`));
    k = rmsNorm(o, k, o.param(`${name}.kNorm.weight`));
  }
  if (extras.rope) {
    q = applyRope(o, q, extras.rope);
    k = applyRope(o, k, extras.rope);
  }
  const qs = o.mul(q, 1 / Math.sqrt(d / heads));
  const v = splitHeads(o, v0, heads);
  const out = extras.skiparse
    ? skiparseAttention(o, qs, k, v, extras.skiparse.kind, extras.skiparse.k)
    : o.matMul(o.softmax(o.matMul(qs, k, false, true)), v);
  return linear(o, `${name}.proj`, mergeHeads(o, out));
}
