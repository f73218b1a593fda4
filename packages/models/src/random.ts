import { checkSeed, mulberry32Next } from '@teacache/core';

/**
 * A seeded PRNG (core's mulberry32) with Gaussian sampling, so initialisation and training noise are the
 * same on every backend and machine.
 */
export class SeededRandom {
  private state: number;
  private spare: number | null = null;

  /** `seed`: a whole number from 0 to MAX_SEED; others are refused, not wrapped onto another seed's numbers. */
  constructor(seed: number) {
    this.state = checkSeed(seed) ^ 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    const step = mulberry32Next(this.state);
    this.state = step.state;
    return step.value;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A Float32Array of `n` normals scaled by `std`. */
  normals(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  /** The generator's state, to checkpoint and resume. */
  getState(): [number, number | null] {
    return [this.state, this.spare];
  }

  setState([state, spare]: [number, number | null]): void {
    this.state = state >>> 0;
    this.spare = spare;
  }
}

/** Derive an independent seed from a base seed and a label (FNV-1a over the label). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ checkSeed(seed);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
