/**
 * The largest seed: the generators (mulberry32) keep 32 bits of state, so a larger seed would draw exactly what
 * a smaller one draws.
 */
export const MAX_SEED = 2 ** 32 - 1;

/** What a seed is, for messages: the range every reader and the generators accept. */
export const SEED_RANGE = `a whole number from 0 to ${MAX_SEED} (2^32 - 1: the generator takes 32 bits)`;

/** The JSON Schema of a seed field in the toolkit's formats. */
export const SEED_SCHEMA = { type: 'integer', minimum: 0, maximum: MAX_SEED } as const;

/** Whether a value is a seed: a whole number from 0 to MAX_SEED. */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
}

/** The seed itself, or a RangeError saying what a seed must be (for values that reach a generator). */
export function checkSeed(seed: number, what = 'seed'): number {
  if (!isSeed(seed)) throw new RangeError(`${what} must be ${SEED_RANGE}, got ${seed}`);
  return seed;
}
