/**
 * Quantile of a sample with linear interpolation between order statistics (numpy.quantile's
 * default "linear" method), q in [0, 1]. Throws on an empty sample or a non-finite value.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile: empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[sorted.length - 1]) || sorted.some(Number.isNaN)) {
    throw new RangeError('quantile: sample holds a non-finite value');
  }
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

/** Median, first and third quartile of a sample (numpy's linear method). */
export function quartiles(values: readonly number[]): { q1: number; median: number; q3: number } {
  return { q1: quantile(values, 0.25), median: quantile(values, 0.5), q3: quantile(values, 0.75) };
}

/** Arithmetic mean of a non-empty sample. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean: empty sample');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
