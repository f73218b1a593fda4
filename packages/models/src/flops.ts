import { tokenCounts, type ModelConfig } from './config.js';
import { blockPlan } from './blocks.js';
import { attentionSplit } from './skiparse.js';

/** A GEMM's shape: [m, k] × [k, n] (batched `count` times). */
export interface GemmShape { m: number; k: number; n: number; count: number }

/** FLOPs of a GEMM (2·m·k·n per product). */
export function gemmFlops(g: GemmShape): number {
  return 2 * g.m * g.k * g.n * g.count;
}

/**
 * The GEMMs of one forward pass (text encoder excluded: it runs once per sampling run) for a batch of
 * `batch` samples; elementwise work is not counted, as is usual for GFLOP/s figures.
 */
export function forwardGemms(cfg: ModelConfig, batch: number): GemmShape[] {
  return [...outsideStackGemms(cfg, batch), ...blockPlan(cfg.family, cfg.depth).flatMap((_, i) => blockGemms(cfg, batch, i))];
}

/** The GEMMs that run at every step whatever a cache decides: patch and timestep embedding, modulation, head. */
export function outsideStackGemms(cfg: ModelConfig, batch: number): GemmShape[] {
  const { total } = tokenCounts(cfg);
  const d = cfg.hiddenSize;
  const tokens = batch * total;
  const patchDim = cfg.patchSize * cfg.patchSize * cfg.channels;
  return [
    { m: tokens, k: patchDim, n: d, count: 1 },
    { m: batch, k: cfg.timestepFrequencies, n: d, count: 1 },
    { m: batch, k: d, n: d, count: 1 },
    { m: batch, k: d, n: cfg.family === 'dit' ? 2 * d : 6 * d, count: 1 },
    { m: tokens, k: d, n: patchDim, count: 1 },
  ];
}

/** The GEMMs of block `index` of the stack (what a reused step skips). */
export function blockGemms(cfg: ModelConfig, batch: number, index: number): GemmShape[] {
  const plan = blockPlan(cfg.family, cfg.depth)[index];
  if (!plan) throw new RangeError(`blockGemms: block ${index} of a ${cfg.depth}-block stack`);
  const { perFrame, total } = tokenCounts(cfg);
  const d = cfg.hiddenSize;
  const tokens = batch * total;
  const dh = d / cfg.heads;
  const hidden = Math.round(d * cfg.mlpRatio);
  const gemms: GemmShape[] = [];
  if (plan.modulation === 'zero') gemms.push({ m: batch, k: d, n: 6 * d, count: 1 });
  gemms.push({ m: tokens, k: d, n: 3 * d, count: 1 }, { m: tokens, k: d, n: d, count: 1 });
  const [seqs, len] = attentionSplit(cfg, index, ...(plan.scope === 'full' ? [batch, total] : plan.scope === 'spatial' ? [batch * cfg.frames, perFrame] : [batch * perFrame, cfg.frames]) as [number, number]);
  gemms.push({ m: len, k: dh, n: len, count: seqs * cfg.heads }, { m: len, k: len, n: dh, count: seqs * cfg.heads });
  if (plan.crossAttention) {
    gemms.push({ m: tokens, k: d, n: d, count: 1 }, { m: batch * cfg.textLength, k: cfg.textWidth, n: 2 * d, count: 1 });
    gemms.push({ m: total, k: dh, n: cfg.textLength, count: batch * cfg.heads }, { m: total, k: cfg.textLength, n: dh, count: batch * cfg.heads });
    gemms.push({ m: tokens, k: d, n: d, count: 1 });
  }
  gemms.push({ m: tokens, k: d, n: hidden, count: 1 }, { m: tokens, k: hidden, n: d, count: 1 });
  return gemms;
}

/** GEMM FLOPs of one forward pass for one sample, split: outside the stack, and per block of the stack. */
export function forwardFlopsParts(cfg: ModelConfig): { outside: number; blocks: number[] } {
  const sum = (gs: GemmShape[]) => gs.reduce((a, g) => a + gemmFlops(g), 0);
  return { outside: sum(outsideStackGemms(cfg, 1)), blocks: blockPlan(cfg.family, cfg.depth).map((_, i) => sum(blockGemms(cfg, 1, i))) };
}

/** Total GEMM FLOPs of one forward pass. */
export function forwardFlops(cfg: ModelConfig, batch: number): number {
  return forwardGemms(cfg, batch).reduce((a, g) => a + gemmFlops(g), 0);
}

/** The largest single GEMM of a forward pass (by FLOPs of one product). */
export function largestGemm(cfg: ModelConfig, batch: number): GemmShape {
  return forwardGemms(cfg, batch).reduce((a, g) => (2 * g.m * g.k * g.n > 2 * a.m * a.k * a.n ? g : a));
}
