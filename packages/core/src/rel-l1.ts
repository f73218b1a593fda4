export type NumericArray = ArrayLike<number>;

/** Mean absolute value of an array. */
export function meanAbs(a: NumericArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return a.length === 0 ? NaN : s / a.length;
}

/**
 * Relative L1 distance of `current` from `previous`: mean|current - previous| / mean|previous|.
 * Throws on length mismatch; returns Infinity when `previous` is all zeros and `current` is not.
 */
export function relL1(current: NumericArray, previous: NumericArray): number {
  if (current.length !== previous.length) {
    throw new RangeError(`relL1: arrays differ in length (${current.length} vs ${previous.length})`);
  }
  if (current.length === 0) throw new RangeError('relL1: empty arrays');
  let diff = 0;
  let base = 0;
  for (let i = 0; i < current.length; i++) {
    diff += Math.abs(current[i] - previous[i]);
    base += Math.abs(previous[i]);
  }
  if (base === 0) return diff === 0 ? 0 : Infinity;
  return diff / base;
}
