import { polyvalHighestFirst } from '@teacache/core';

/**
 * Coefficient of determination of a polynomial (highest degree first) on points: 1 - SS_res / SS_tot.
 * Null when the y values are constant (SS_tot = 0) or there are no points.
 */
export function rSquared(x: readonly number[], y: readonly number[], highestFirst: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`rSquared: ${x.length} x values but ${y.length} y values`);
  if (x.length === 0) return null;
  const meanY = y.reduce((s, v) => s + v, 0) / y.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    residual += (y[i] - polyvalHighestFirst(highestFirst, x[i])) ** 2;
    total += (y[i] - meanY) ** 2;
  }
  return total === 0 ? null : 1 - residual / total;
}

/** `count` evenly spaced values from `from` to `to`, both included (count >= 2). */
export function linspace(from: number, to: number, count: number): number[] {
  if (count < 2) throw new RangeError(`linspace: count must be >= 2, got ${count}`);
  return Array.from({ length: count }, (_, i) => from + ((to - from) * i) / (count - 1));
}
