import { quantile as d3Quantile } from 'd3-array';

// d3-array computes; these wrappers refuse what d3 would silently skip (NaN, an empty sample), since a chart of
// a sample with holes in it would look fine and be wrong.

function checkSample(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: empty sample`);
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError(`${what}: sample holds a non-finite value`);
}

/**
 * Quantile of a sample with linear interpolation between order statistics (numpy.quantile's
 * default "linear" method, d3's R-7), q in [0, 1]. Throws on an empty sample or a non-finite value.
 */
export function quantile(values: readonly number[], q: number): number {
  checkSample(values, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  return d3Quantile(values, q)!;
}

/** Median, first and third quartile of a sample (numpy's linear method). */
export function quartiles(values: readonly number[]): { q1: number; median: number; q3: number } {
  return { q1: quantile(values, 0.25), median: quantile(values, 0.5), q3: quantile(values, 0.75) };
}
