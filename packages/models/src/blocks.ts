import type { Family } from './config.js';
import type { ParamStore } from './params.js';
import { declareCrossAttention, declareLinear, declareMlp, declareSelfAttention } from './layers.js';
import { crossAttention, layerNorm, linear, mlp, modulate, selfAttention, silu } from './ops/nn.js';
import type { Ops } from './ops/ops.js';

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

/** Shapes a block needs to rearrange tokens for its attention scope (the batch axis is left free: -1). */
export interface TokenLayout {
  frames: number;
  perFrame: number;
  hidden: number;
  heads: number;
}

/** The six adaLN parameters of a block, each [B, 1, D]. */
export interface Modulation<T> {
  shiftMsa: T; scaleMsa: T; gateMsa: T;
  shiftMlp: T; scaleMlp: T; gateMlp: T;
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
export function blockModulation<T>(o: Ops<T>, name: string, plan: BlockPlan, condition: T): Modulation<T> {
  const d = o.shape(condition)[1] / (plan.modulation === 'zero' ? 1 : 6);
  const six = plan.modulation === 'zero'
    ? o.reshape(linear(o, `${name}.adaLN`, silu(o, condition)), [-1, 6, d])
    : o.add(o.reshape(condition, [-1, 6, d]), o.param(`${name}.scaleShiftTable`));
  const parts = o.split(six, 6, 1);
  return {
    shiftMsa: parts[0], scaleMsa: parts[1], gateMsa: parts[2],
    shiftMlp: parts[3], scaleMlp: parts[4], gateMlp: parts[5],
  };
}

/** The first thing a block does: its normalised input, scaled and shifted by the timestep's adaLN parameters. */
export function modulatedInput<T>(o: Ops<T>, x: T, m: Modulation<T>): T {
  return modulate(o, layerNorm(o, x), m.shiftMsa, m.scaleMsa);
}

function toScope<T>(o: Ops<T>, x: T, scope: AttentionScope, l: TokenLayout): T {
  if (scope === 'full') return x;
  if (scope === 'spatial') return o.reshape(x, [-1, l.perFrame, l.hidden]);
  const frameMajor = o.transpose(o.reshape(x, [-1, l.frames, l.perFrame, l.hidden]), [0, 2, 1, 3]);
  return o.reshape(frameMajor, [-1, l.frames, l.hidden]);
}

function fromScope<T>(o: Ops<T>, x: T, scope: AttentionScope, l: TokenLayout): T {
  if (scope === 'full') return x;
  if (scope === 'spatial') return o.reshape(x, [-1, l.frames * l.perFrame, l.hidden]);
  const tokenMajor = o.transpose(o.reshape(x, [-1, l.perFrame, l.frames, l.hidden]), [0, 2, 1, 3]);
  return o.reshape(tokenMajor, [-1, l.frames * l.perFrame, l.hidden]);
}

/**
 * Run one block on tokens x [B, T, D]. `firstInput` is the already computed modulated input (block 0 reuses
 * the one `embed` returned, so it is computed once per step); `textBias` [B, L] masks padding text tokens;
 * `attend` (x [S, L, D] in the block's scope) replaces the built-in self-attention where config options change it
 * (qk-norm, RoPE, Skiparse).
 */
export function runBlock<T>(
  o: Ops<T>, name: string, plan: BlockPlan, x: T, m: Modulation<T>, text: T | null,
  layout: TokenLayout, firstInput?: T, textBias?: T, attend?: (xs: T) => T,
): T {
  const a = firstInput ?? modulatedInput(o, x, m);
  const scoped = toScope(o, a, plan.scope, layout);
  const attn = fromScope(o, attend ? attend(scoped) : selfAttention(o, `${name}.attn`, scoped, layout.heads), plan.scope, layout);
  let h = o.add(x, o.mul(m.gateMsa, attn));
  if (plan.crossAttention) {
    if (!text) throw new Error(`${name}: cross-attention needs text tokens`);
    h = o.add(h, crossAttention(o, `${name}.cross`, h, text, layout.heads, textBias));
  }
  const inner = mlp(o, `${name}.mlp`, modulate(o, layerNorm(o, h), m.shiftMlp, m.scaleMlp));
  return o.add(h, o.mul(m.gateMlp, inner));
}
