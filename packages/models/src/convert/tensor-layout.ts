/** Layout changes between PyTorch checkpoints and the toolkit's weights (row-major float32 arrays). */

/** A tensor as a checkpoint holds it: shape (row-major) and values. */
export interface SourceTensor {
  shape: number[];
  data: Float32Array;
}

/** PyTorch nn.Linear weight [out, in] → the toolkit's [in, out] (optionally keeping only the given output rows). */
export function linearWeight(t: SourceTensor, rows?: readonly number[]): Float32Array {
  const [out, inDim] = t.shape;
  const keep = rows ?? Array.from({ length: out }, (_, i) => i);
  const res = new Float32Array(inDim * keep.length);
  keep.forEach((r, j) => { for (let i = 0; i < inDim; i++) res[i * keep.length + j] = t.data[r * inDim + i]; });
  return res;
}

/** The given entries of a 1-D tensor (e.g. the bias of the kept output rows). */
export function pick(t: SourceTensor, rows: readonly number[]): Float32Array {
  return Float32Array.from(rows, (r) => t.data[r]);
}

/**
 * A patch-embedding convolution [D, C, pt, p, p] (Conv3d, or Conv2d [D, C, p, p] with pt = 1) with stride equal to
 * its kernel → the toolkit's patch linear [p·p·C, D], whose input orders a patch as (row, column, channel).
 */
export function patchConvWeight(t: SourceTensor): Float32Array {
  const [d, c] = t.shape;
  const [pt, ph, pw] = t.shape.length === 5 ? t.shape.slice(2) : [1, ...t.shape.slice(2)];
  if (pt !== 1) throw new RangeError(`patch convolution with temporal kernel ${pt}: only a temporal patch of 1 is supported`);
  const res = new Float32Array(ph * pw * c * d);
  for (let o = 0; o < d; o++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) res[((y * pw + x) * c + ch) * d + o] = t.data[((o * c + ch) * ph + y) * pw + x];
      }
    }
  }
  return res;
}

/**
 * Output rows of a final projection whose patch layout is (row, column, channel) over `outChannels` channels,
 * keeping the first `keepChannels` of each patch position (drops a learned-sigma half).
 */
export function patchChannelRows(patch: number, outChannels: number, keepChannels: number): number[] {
  const rows: number[] = [];
  for (let pos = 0; pos < patch * patch; pos++) for (let c = 0; c < keepChannels; c++) rows.push(pos * outChannels + c);
  return rows;
}
