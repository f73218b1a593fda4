import { PolynomialRegression } from 'ml-regression-polynomial';
import { reverseOrder } from '@teacache/core';
import { FitRefusedError } from './errors.js';

/** A least-squares polynomial (with intercept, like numpy.polyfit) in both coefficient orders. */
export interface PolynomialFit {
  degree: number;
  /** ml-regression-polynomial order: c0 + c1 x + c2 x^2 + ... */
  lowestFirst: number[];
  /** numpy.poly1d order. */
  highestFirst: number[];
}

/** Smallest number of points a fit accepts at all, whatever the degree. */
export const MIN_POINTS = 8;

/**
 * Refuse inputs no honest fit can come from: mismatched lengths, non-finite values, too few points
 * (fewer than degree + 2, or fewer than MIN_POINTS), or fewer distinct x values than coefficients.
 */
export function checkFitInput(x: ArrayLike<number>, y: ArrayLike<number>, degree: number): void {
  if (!Number.isInteger(degree) || degree < 1) throw new FitRefusedError(`the degree must be a whole number >= 1, got ${degree}`);
  if (x.length !== y.length) throw new FitRefusedError(`${x.length} indicator values but ${y.length} target values`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new FitRefusedError(`pair ${i} is not finite (x = ${x[i]}, y = ${y[i]})`);
    }
  }
  const needed = Math.max(MIN_POINTS, degree + 2);
  if (x.length < needed) {
    throw new FitRefusedError(`${x.length} pairs are too few for a degree-${degree} polynomial (need at least ${needed})`);
  }
  const distinct = new Set(Array.from(x)).size;
  if (distinct === 1) throw new FitRefusedError(`the indicator is constant (every x = ${x[0]}); it carries no information`);
  if (distinct < degree + 1) {
    throw new FitRefusedError(`only ${distinct} distinct indicator values; a degree-${degree} polynomial needs at least ${degree + 1}`);
  }
}

/** Least squares in the centred and scaled variable u = (x - centre) / scale, lowest degree first. */
function fitScaled(u: number[], y: number[], degree: number): number[] {
  let model: PolynomialRegression;
  try {
    model = new PolynomialRegression(u, y, degree);
  } catch (err) {
    // A far outlier squeezes every other x onto one point of the scaled axis: the system is singular.
    throw new FitRefusedError(`the degree-${degree} least-squares system is singular (${(err as Error).message}): ` +
      'the indicator values are too few or too unevenly spread, e.g. one value far from all others');
  }
  const c = model.coefficients.slice(0, degree + 1);
  while (c.length < degree + 1) c.push(0);
  return c;
}

function evalLowestFirst(c: readonly number[], u: number): number {
  let v = 0;
  for (let k = c.length - 1; k >= 0; k--) v = v * u + c[k];
  return v;
}

/**
 * Rewrite sum_k a_k ((x - centre) / scale)^k as sum_j b_j x^j (a Taylor shift, then a rescale).
 * Exact algebra; the only rounding is in the sums.
 */
export function unscaleCoefficients(a: readonly number[], centre: number, scale: number): number[] {
  const n = a.length;
  const d = centre / scale;
  const b = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    // e_j = sum_{k >= j} a_k C(k, j) (-d)^(k - j); accumulate from the top for fewer roundings on large terms.
    let e = 0;
    for (let k = n - 1; k >= j; k--) e += a[k] * binomial(k, j) * Math.pow(-d, k - j);
    b[j] = e / Math.pow(scale, j);
  }
  return b;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * Least-squares polynomial of the given degree, with intercept, agreeing with numpy.polyfit.
 * ml-regression-polynomial solves the normal equations of the raw Vandermonde matrix, whose conditioning
 * collapses at degree 4-6 when x is small or spans a narrow range (on x in [0.02, 0.03] at degree 6 its
 * coefficients are off by a factor of ~18); so fit on x centred and scaled to [-1, 1], refine once on the
 * residual, and convert the coefficients back to powers of x exactly.
 */
export function fitPolynomial(x: ArrayLike<number>, y: ArrayLike<number>, degree: number): PolynomialFit {
  checkFitInput(x, y, degree);
  const xs = Array.from(x);
  const ys = Array.from(y);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of xs) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const centre = (lo + hi) / 2;
  const scale = (hi - lo) / 2;
  const u = xs.map((v) => (v - centre) / scale);
  const a = fitScaled(u, ys, degree);
  // One step of iterative refinement: fit what the first solve left over and add it back.
  const residual = ys.map((v, i) => v - evalLowestFirst(a, u[i]));
  const correction = fitScaled(u, residual, degree);
  const refined = a.map((c, k) => c + correction[k]);
  const lowestFirst = unscaleCoefficients(refined, centre, scale);
  for (const c of lowestFirst) {
    if (!Number.isFinite(c)) throw new FitRefusedError(`the degree-${degree} fit produced a non-finite coefficient; the data are degenerate`);
  }
  return { degree, lowestFirst, highestFirst: reverseOrder(lowestFirst) };
}
