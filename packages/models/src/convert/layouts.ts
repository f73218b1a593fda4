import type { Layout } from './table.js';

/** What a row's upstream tensors must measure, given the toolkit parameter's shape, for `n` sources. */
export function sourceShapes(layout: Layout, target: readonly number[], n: number, patch: number, channels: number): number[][] {
  switch (layout) {
    case 'copy': return [[...target]];
    case 'linear': return [[target[1], target[0]]];
    case 'concat-linear': return Array.from({ length: n }, () => [target[1] / n, target[0]]);
    case 'concat': return Array.from({ length: n }, () => [target[0] / n]);
    case 'conv-patch': return [[target[1], channels, patch, patch]];
    case 'conv3d-patch': return [[target[1], channels, 1, patch, patch]];
  }
}

/** The toolkit parameter's values from its upstream tensors' values (row-major), per the layout. */
export function arrange(layout: Layout, target: readonly number[], sources: readonly Float32Array[], patch: number, channels: number): Float32Array {
  switch (layout) {
    case 'copy': return sources[0];
    case 'concat': return concat(sources);
    case 'linear': return concatTransposed(target[0], target[1], sources);
    case 'concat-linear': return concatTransposed(target[0], target[1], sources);
    case 'conv-patch': return convToPatch(sources[0], target[1], channels, patch);
    // A temporal kernel of 1 leaves the row-major order of [D, C, 1, p, p] that of [D, C, p, p].
    case 'conv3d-patch': return convToPatch(sources[0], target[1], channels, patch);
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** PyTorch weights [out_s, in] stacked along out, as the toolkit's [in, Σ out_s]. */
function concatTransposed(inDim: number, outDim: number, parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(inDim * outDim);
  let offset = 0;
  for (const part of parts) {
    const rows = part.length / inDim;
    for (let o = 0; o < rows; o++) {
      for (let i = 0; i < inDim; i++) out[i * outDim + offset + o] = part[o * inDim + i];
    }
    offset += rows;
  }
  return out;
}

/** A patch convolution [D, C, p, p] as the toolkit's linear [p·p·C, D], input index (row·p + column)·C + channel. */
function convToPatch(w: Float32Array, d: number, c: number, p: number): Float32Array {
  const out = new Float32Array(p * p * c * d);
  for (let o = 0; o < d; o++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < p; y++) {
        for (let x = 0; x < p; x++) out[((y * p + x) * c + ch) * d + o] = w[((o * c + ch) * p + y) * p + x];
      }
    }
  }
  return out;
}
