import { checkSeed } from './seed.js';

/**
 * One step of the mulberry32 generator: the next 32-bit state and a uniform value in [0, 1) from it.
 * Plain integer arithmetic, so every backend and machine draws the same numbers from the same seed.
 */
export function mulberry32Next(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** A seeded uniform generator in [0, 1) (mulberry32); a seed outside 0..MAX_SEED or not whole is refused, not wrapped. */
export function seededRandom(seed: number): () => number {
  let state = checkSeed(seed);
  return () => {
    const step = mulberry32Next(state);
    state = step.state;
    return step.value;
  };
}
