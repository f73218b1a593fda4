import * as tf from '@tensorflow/tfjs';
import type { Family } from './config.js';
import type { ParamStore } from './params.js';
import {
  crossAttention, declareCrossAttention, declareLinear, declareMlp, declareSelfAttention,
  layerNorm, linear, mlp, modulate, selfAttention, silu,
} from './layers.js';

/** Which tokens attend to each other in a block's self-attention. */
export type AttentionScope = 'full' | 'spatial' | 'temporal';

/** One block of a family's stack. */
export interface BlockPlan {
  scope: AttentionScope;
  /** adaLN-Zero (own modulation MLP from the condition) or adaLN-single (shared MLP, per-block table). */
  modulation: 'zero' | 'single';
  crossAttention: boolean;
}

/** The block stack of each family. */
export function blockPlan(family: Family, depth: number): BlockPlan[] {
  return Array.from({ length: depth }, (_, i): BlockPlan => {
    switch (family) {
      case 'dit': return { scope: 'full', modulation: 'zero', crossAttention: false };
      case 'osp': return { scope: 'full', modulation: 'single', crossAttention: true };
      case 'stdit': return { scope: i % 2 === 0 ? 'spatial' : 'temporal', modulation: 'single', crossAttention: true };
      // Latte's temporal blocks carry no text cross-attention.
      case 'latte': return i % 2 === 0
        ? { scope: 'spatial', modulation: 'single', crossAttention: true }
        : { scope: 'temporal', modulation: 'single', crossAttention: false };
    }
  });
}

/** Shapes a block needs to rearrange tokens for its attention scope. */
export interface TokenLayout {
  batch: number;
  frames: number;
  perFrame: number;
  hidden: number;
  heads: number;
}

/** The six adaLN parameters of a block, each [B, 1, D]. */
export interface Modulation {
  shiftMsa: tf.Tensor; scaleMsa: tf.Tensor; gateMsa: tf.Tensor;
  shiftMlp: tf.Tensor; scaleMlp: tf.Tensor; gateMlp: tf.Tensor;
}

export function declareBlock(p: ParamStore, name: string, plan: BlockPlan, hidden: number, mlpHidden: number, textWidth: number): void {
  if (plan.modulation === 'zero') declareLinear(p, `${name}.adaLN`, hidden, 6 * hidden, 'zeros');
  else p.declare(`${name}.scaleShiftTable`, { shape: [6, hidden], init: 'normal', std: 1 / Math.sqrt(hidden) });
  declareSelfAttention(p, `${name}.attn`, hidden);
  if (plan.crossAttention) declareCrossAttention(p, `${name}.cross`, hidden, textWidth);
  declareMlp(p, `${name}.mlp`, hidden, mlpHidden);
}

/**
 * The block's modulation from the condition: adaLN-Zero maps c [B, D] through its own linear layer;
 * adaLN-single adds its table [6, D] to the shared t0 [B, 6D].
 */
export function blockModulation(p: ParamStore, name: string, plan: BlockPlan, condition: tf.Tensor2D): Modulation {
  const d = condition.shape[1] / (plan.modulation === 'zero' ? 1 : 6);
  const six = plan.modulation === 'zero'
    ? linear(p, `${name}.adaLN`, silu(condition)).reshape([-1, 6, d])
    : tf.add(condition.reshape([-1, 6, d]), p.get(`${name}.scaleShiftTable`));
  const parts = tf.split(six, 6, 1);
  return {
    shiftMsa: parts[0], scaleMsa: parts[1], gateMsa: parts[2],
    shiftMlp: parts[3], scaleMlp: parts[4], gateMlp: parts[5],
  };
}

/** The first thing a block does: its normalised input, scaled and shifted by the timestep's adaLN parameters. */
export function modulatedInput(x: tf.Tensor, m: Modulation): tf.Tensor {
  return modulate(layerNorm(x), m.shiftMsa, m.scaleMsa);
}

function toScope(x: tf.Tensor, scope: AttentionScope, l: TokenLayout): tf.Tensor {
  if (scope === 'full') return x;
  if (scope === 'spatial') return x.reshape([l.batch * l.frames, l.perFrame, l.hidden]);
  return x.reshape([l.batch, l.frames, l.perFrame, l.hidden]).transpose([0, 2, 1, 3]).reshape([l.batch * l.perFrame, l.frames, l.hidden]);
}

function fromScope(x: tf.Tensor, scope: AttentionScope, l: TokenLayout): tf.Tensor {
  if (scope === 'full') return x;
  if (scope === 'spatial') return x.reshape([l.batch, l.frames * l.perFrame, l.hidden]);
  return x.reshape([l.batch, l.perFrame, l.frames, l.hidden]).transpose([0, 2, 1, 3]).reshape([l.batch, l.frames * l.perFrame, l.hidden]);
}

/**
 * Run one block on tokens x [B, T, D]. `firstInput` is the already computed modulated input (block 0 reuses
 * the one `embed` returned, so it is computed once per step); `attend` (x [S, L, D] in the block's scope) replaces
 * the built-in self-attention.
 */
export function runBlock(
  p: ParamStore, name: string, plan: BlockPlan, x: tf.Tensor, m: Modulation, text: tf.Tensor | null,
  layout: TokenLayout, firstInput?: tf.Tensor, textBias?: tf.Tensor, attend?: (xs: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  const a = firstInput ?? modulatedInput(x, m);
  const scoped = toScope(a, plan.scope, layout);
  // `attend` replaces the plain self-attention where config options change it (qk-norm, RoPE).
  const attn = fromScope(attend ? attend(scoped) : selfAttention(p, `${name}.attn`, scoped, layout.heads), plan.scope, layout);
  let h = tf.add(x, tf.mul(m.gateMsa, attn));
  if (plan.crossAttention) {
    if (!text) throw new Error(`${name}: cross-attention needs text tokens`);
    h = tf.add(h, crossAttention(p, `${name}.cross`, h, text, layout.heads, textBias));
  }
  const inner = mlp(p, `${name}.mlp`, modulate(layerNorm(h), m.shiftMlp, m.scaleMlp));
  return tf.add(h, tf.mul(m.gateMlp, inner));
}
