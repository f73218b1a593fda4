import type { Ops } from './ops/ops.js';

/**
 * Skiparse sparse attention (Open-Sora-Plan v1.3, "Skiparse"): the sequence of L tokens, padded to a multiple of
 * k², is cut into k sub-sequences of (L + pad)/k tokens that attend only within themselves. Padding tokens are
 * masked as keys and dropped from the output.
 * - single: sub-sequence m holds the tokens i with i mod k = m (every k-th token);
 * - group: sub-sequence m holds the tokens i with ⌊i/k⌋ mod k = m (every k-th run of k consecutive tokens).
 */
export type SkiparseKind = 'single' | 'group';

/** Original index of position p of sub-sequence m (possibly ≥ L: a padding token). */
export function skiparseIndex(kind: SkiparseKind, k: number, m: number, p: number): number {
  return kind === 'single' ? p * k + m : Math.floor(p / k) * k * k + m * k + (p % k);
}

/** [S, H, Lp, dh] → [S·H, k, Lp/k, dh], sub-sequences in order (S is left free: -1). */
function split<T>(o: Ops<T>, x: T, kind: SkiparseKind, k: number): T {
  const [, , lp, dh] = o.shape(x);
  const r = kind === 'single'
    ? o.transpose(o.reshape(x, [-1, lp / k, k, dh]), [0, 2, 1, 3])
    : o.transpose(o.reshape(x, [-1, lp / (k * k), k, k, dh]), [0, 2, 1, 3, 4]);
  return o.reshape(r, [-1, k, lp / k, dh]);
}

/** Inverse of split: [S·H, k, Lp/k, dh] → [S, H, Lp, dh]. */
function merge<T>(o: Ops<T>, x: T, kind: SkiparseKind, k: number, h: number): T {
  const [, , g, dh] = o.shape(x);
  const lp = g * k;
  const r = kind === 'single'
    ? o.transpose(x, [0, 2, 1, 3])
    : o.transpose(o.reshape(x, [-1, k, lp / (k * k), k, dh]), [0, 2, 1, 3, 4]);
  return o.reshape(r, [-1, h, lp, dh]);
}

/** Scaled dot-product attention of q, k, v [S, H, L, dh] (q already scaled) under Skiparse with ratio k. */
export function skiparseAttention<T>(o: Ops<T>, q: T, key: T, v: T, kind: SkiparseKind, k: number): T {
  const [, h, l, dh] = o.shape(q);
  const pad = (k * k - (l % (k * k))) % (k * k);
  const padded = (x: T) => (pad ? o.pad(x, [[0, 0], [0, 0], [0, pad], [0, 0]]) : x);
  const g = (l + pad) / k;
  const scores = o.matMul(split(o, padded(q), kind, k), split(o, padded(key), kind, k), false, true);
  let masked = scores;
  if (pad) {
    const bias = () => {
      const b = new Float32Array(k * g);
      for (let m = 0; m < k; m++) for (let p = 0; p < g; p++) if (skiparseIndex(kind, k, m, p) >= l) b[m * g + p] = -1e9;
      return b;
    };
    masked = o.add(scores, o.constant(`skiparse-${kind}-${k}-${l}`, [1, k, 1, g], bias));
  }
  const out = o.matMul(o.softmax(masked), split(o, padded(v), kind, k));
  return o.slice(merge(o, out, kind, k, h), [0, 0, 0, 0], [-1, h, l, dh]);
}

/** The Skiparse kind of block i, or null for dense attention: blocks [from, to) are sparse, odd ones group. */
export function skiparseKindOf(i: number, blocks: readonly [number, number] = [2, 30]): SkiparseKind | null {
  if (i < blocks[0] || i >= blocks[1]) return null;
  return i % 2 === 1 ? 'group' : 'single';
}

/**
 * The attention of block `index` as (sequences, length) once Skiparse splits it: k times the sequences, each
 * (length + padding)/k long; unchanged for dense blocks. For FLOP and memory counts.
 */
export function attentionSplit(cfg: { skiparse?: number; skiparseBlocks?: [number, number] }, index: number, sequences: number, length: number): [number, number] {
  const k = cfg.skiparse;
  if (k === undefined || skiparseKindOf(index, cfg.skiparseBlocks) === null) return [sequences, length];
  return [sequences * k, Math.ceil(length / (k * k)) * k];
}
