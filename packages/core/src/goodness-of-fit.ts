import type { FitStatistics } from './coefficients-format.js';
import { polyvalHighestFirst } from './polynomial.js';
import { mean as sampleMean } from './sample-stats.js';

/**
 * R² (1 - SS_res / SS_tot), RMSE and MAE of predictions against observations (RMSE and MAE in y's units):
 * the one definition the fit's evidence and the report's charts share. R² is null when y is constant.
 */
export function goodnessOfFit(y: ArrayLike<number>, predicted: ArrayLike<number>): FitStatistics {
  if (y.length !== predicted.length) throw new RangeError(`goodnessOfFit: ${y.length} observations but ${predicted.length} predictions`);
  if (y.length === 0) throw new RangeError('goodnessOfFit: no points');
  const n = y.length;
  const mean = sampleMean(y);
  let ssRes = 0;
  let ssTot = 0;
  let absSum = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i] - predicted[i];
    ssRes += r * r;
    absSum += Math.abs(r);
    ssTot += (y[i] - mean) * (y[i] - mean);
  }
  return { r2: ssTot === 0 ? null : 1 - ssRes / ssTot, rmse: Math.sqrt(ssRes / n), mae: absSum / n };
}

/** Goodness of fit (R², and RMSE and MAE in y's units) of a polynomial (highest degree first) on points (x, y). */
export function polynomialGoodnessOfFit(x: ArrayLike<number>, y: ArrayLike<number>, highestFirst: readonly number[]): FitStatistics {
  if (x.length !== y.length) throw new RangeError(`polynomialGoodnessOfFit: ${x.length} x values but ${y.length} y values`);
  return goodnessOfFit(y, Array.from(x, (v) => polyvalHighestFirst(highestFirst, v)));
}
