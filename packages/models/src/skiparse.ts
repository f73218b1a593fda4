import * as tf from '@tensorflow/tfjs';

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

/** [S, H, Lp, dh] → [S·H, k, Lp/k, dh], sub-sequences in order. */
function split(x: tf.Tensor, kind: SkiparseKind, k: number): tf.Tensor {
  const [s, h, lp, dh] = x.shape;
  const r = kind === 'single'
    ? x.reshape([s * h, lp / k, k, dh]).transpose([0, 2, 1, 3])
    : x.reshape([s * h, lp / (k * k), k, k, dh]).transpose([0, 2, 1, 3, 4]);
  return r.reshape([s * h, k, lp / k, dh]);
}

/** Inverse of split: [S·H, k, Lp/k, dh] → [S, H, Lp, dh]. */
function merge(x: tf.Tensor, kind: SkiparseKind, k: number, s: number, h: number): tf.Tensor {
  const [, , g, dh] = x.shape;
  const lp = g * k;
  const r = kind === 'single'
    ? x.transpose([0, 2, 1, 3])
    : x.reshape([s * h, k, lp / (k * k), k, dh]).transpose([0, 2, 1, 3, 4]);
  return r.reshape([s, h, lp, dh]);
}

/** Scaled dot-product attention of q, k, v [S, H, L, dh] (q already scaled) under Skiparse with ratio k. */
export function skiparseAttention(q: tf.Tensor, key: tf.Tensor, v: tf.Tensor, kind: SkiparseKind, k: number): tf.Tensor {
  const [s, h, l, dh] = q.shape;
  const pad = (k * k - (l % (k * k))) % (k * k);
  const padded = (x: tf.Tensor) => (pad ? tf.pad(x, [[0, 0], [0, 0], [0, pad], [0, 0]]) : x);
  const g = (l + pad) / k;
  const scores = tf.matMul(split(padded(q), kind, k), split(padded(key), kind, k), false, true);
  let masked = scores;
  if (pad) {
    const bias = new Float32Array(k * g);
    for (let m = 0; m < k; m++) for (let p = 0; p < g; p++) if (skiparseIndex(kind, k, m, p) >= l) bias[m * g + p] = -1e9;
    masked = tf.add(scores, tf.tensor4d(bias, [1, k, 1, g]));
  }
  const out = tf.matMul(tf.softmax(masked), split(padded(v), kind, k));
  return merge(out, kind, k, s, h).slice([0, 0, 0, 0], [s, h, l, dh]);
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
