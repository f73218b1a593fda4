/**
 * Mapping tables from a published checkpoint's tensor names to the toolkit's parameter names, as data.
 * A row names the toolkit parameter, the upstream tensor(s) it is built from and how their layout differs.
 */

/**
 * How upstream values become the toolkit's:
 * - `copy`: same shape, same order;
 * - `linear`: a PyTorch linear weight [out, in] transposed to the toolkit's [in, out];
 * - `concat-linear`: several [out_i, in] weights stacked along out (q, k, v into one qkv), then transposed;
 * - `concat`: several 1-D biases joined in order;
 * - `conv-patch`: a patch-embedding convolution [D, C, p, p] to the toolkit's [p·p·C, D] in (row, column, channel) order;
 * - `conv3d-patch`: the same from a 3-D convolution [D, C, 1, p, p] with a temporal patch of 1 (Open-Sora's).
 */
export type Layout = 'copy' | 'linear' | 'concat-linear' | 'concat' | 'conv-patch' | 'conv3d-patch';

/**
 * Which stack a row repeats over: `block` (every toolkit block k from upstream block k), `spatial` (toolkit
 * block 2k from upstream spatial block k) or `temporal` (toolkit block 2k+1 from upstream temporal block k).
 * `{k}` in `from` is the upstream index, `{b}` in `to` the toolkit block.
 */
export type Repeat = 'block' | 'spatial' | 'temporal';

/** One toolkit parameter and the upstream tensors it is made from. */
export interface MappingRow {
  to: string;
  from: readonly string[];
  layout: Layout;
  each?: Repeat;
  /** Only when the model config has this option (e.g. class labels); absent: always. */
  when?: 'classes' | 'no-classes' | 'learn-sigma' | 'qk-norm';
}

/** Upstream tensors that are deliberately not mapped, and why (a fixed buffer the toolkit recomputes, a duplicate). */
export interface IgnoredTensor {
  /** A regular expression matched against the whole name. */
  pattern: string;
  why: string;
  /**
   * `position-2d`: a stored copy of the fixed 2-D sin-cos position embedding; the converter checks it equals
   * what the toolkit computes from the config (grid, width, half order), so a mismatch cannot pass silently.
   */
  recomputed?: 'position-2d';
}

/** The table for one naming of a checkpoint (the original repository's, or diffusers'). */
export interface NamingTable {
  naming: 'original' | 'diffusers';
  /** A tensor name only this naming has: how the naming is recognised. */
  marker: string;
  rows: readonly MappingRow[];
  ignored: readonly IgnoredTensor[];
}

/** A row made concrete for one block: names with the indices filled in. */
export interface ConcreteRow {
  to: string;
  from: string[];
  layout: Layout;
}

/** Expand a table's rows over the stacks: `count` upstream blocks per repeated stack. */
export function expandRows(rows: readonly MappingRow[], count: number, has: (when: NonNullable<MappingRow['when']>) => boolean): ConcreteRow[] {
  const out: ConcreteRow[] = [];
  for (const row of rows) {
    if (row.when && !has(row.when)) continue;
    if (!row.each) {
      out.push({ to: row.to, from: [...row.from], layout: row.layout });
      continue;
    }
    for (let k = 0; k < count; k++) {
      const b = row.each === 'block' ? k : row.each === 'spatial' ? 2 * k : 2 * k + 1;
      out.push({ to: row.to.replace('{b}', String(b)), from: row.from.map((f) => f.replace('{k}', String(k))), layout: row.layout });
    }
  }
  return out;
}
