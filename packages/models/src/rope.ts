import type { Ops } from './ops/ops.js';

/**
 * Rotary position embedding (Su et al., 2021, "RoFormer"). A head of width dh is rotated pairwise; pair j
 * turns by angle pos·θ^(−2j/dh). Pairings in use: `interleaved` pairs features (2j, 2j+1) (the
 * rotary-embedding-torch library Open-Sora 1.2 uses), `half` pairs (j, j + dh/2), `half-thirds` splits the
 * head in three equal parts and pairs each half-wise (Open-Sora-Plan v1.3's RoPE-3D).
 */
export type RopePairing = 'interleaved' | 'half' | 'half-thirds';

/** cos and sin of every feature's rotation angle: each [L, dim]. */
export interface RopeTable<T> {
  cos: T;
  sin: T;
  pairing: RopePairing;
}

/** Angles [L, dim] (radians) for positions (any units) and head width dim, θ = 10000 unless given. */
export function ropeAngles(positions: ArrayLike<number>, dim: number, pairing: RopePairing, theta = 10000): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(positions.length * dim);
  for (let l = 0; l < positions.length; l++) {
    for (let j = 0; j < half; j++) {
      // Computed in float32 like the references, whose frequency table is a float32 tensor.
      const freq = Math.fround(1 / Math.pow(theta, (2 * j) / dim));
      const a = positions[l] * freq;
      if (pairing === 'interleaved') { out[l * dim + 2 * j] = a; out[l * dim + 2 * j + 1] = a; }
      else { out[l * dim + j] = a; out[l * dim + half + j] = a; }
    }
  }
  return out;
}

/** The cos/sin table of angles [L, dim] as constants of the ops (made once per key). */
export function ropeTable<T>(o: Ops<T>, key: string, angles: () => Float32Array, length: number, dim: number, pairing: RopePairing): RopeTable<T> {
  return {
    cos: o.constant(`${key}.cos`, [length, dim], () => angles().map(Math.cos)),
    sin: o.constant(`${key}.sin`, [length, dim], () => angles().map(Math.sin)),
    pairing,
  };
}

/** The pair partner of every feature, with the sign of the rotation: (x0, x1) → (−x1, x0). */
function rotatePairs<T>(o: Ops<T>, x: T, pairing: RopePairing): T {
  const shape = o.shape(x);
  const dim = shape[shape.length - 1];
  if (pairing === 'half') {
    const [a, b] = o.split(x, 2, -1);
    return o.concat([o.neg(b), a], -1);
  }
  if (pairing === 'half-thirds') return o.concat(o.split(x, 3, -1).map((part) => rotatePairs(o, part, 'half')), -1);
  // The leading axis may be the batch-dependent one: left free (-1).
  const pairs = o.reshape(x, [-1, ...shape.slice(1, -1), dim / 2, 2]);
  const [a, b] = o.split(pairs, 2, -1);
  return o.reshape(o.concat([o.neg(b), a], -1), [-1, ...shape.slice(1)]);
}

/** Rotate x [..., L, dim] by the table (broadcast over leading axes): x·cos + rotate(x)·sin. */
export function applyRope<T>(o: Ops<T>, x: T, table: RopeTable<T>): T {
  return o.add(o.mul(x, table.cos), o.mul(rotatePairs(o, x, table.pairing), table.sin));
}

/**
 * RoPE-3D angles [L, dim] for tokens laid out frame-major (frame, row, column): each third of the head turns by its
 * own coordinate (divided by its interpolation scale) with half pairing inside the third.
 */
export function rope3dAngles(frames: number, rows: number, cols: number, dim: number, scale: readonly [number, number, number] = [1, 1, 1]): Float32Array {
  const third = dim / 3;
  const n = frames * rows * cols;
  const out = new Float32Array(n * dim);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const token = (f * rows + y) * cols + x;
        const coords = [f / scale[0], y / scale[1], x / scale[2]];
        coords.forEach((pos, s) => out.set(ropeAngles([pos], third, 'half'), token * dim + s * third));
      }
    }
  }
  return out;
}
