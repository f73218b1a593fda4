import { FormatError } from './errors.js';
import { pairedRatioInterval, studentTCdf, studentTQuantile } from './paired-ratio.js';

// Reference values printed by scipy 1.10.1 (stats.t.ppf / stats.t.cdf) with Debian's /usr/bin/python3.
const SCIPY_T: [df: number, q975: number, q90: number, cdfMinus13: number][] = [
  [1, 12.706204736432095, 3.0776835372078066, 0.20871440016015264],
  [2, 4.302652729911275, 1.8856180831641507, 0.16162351590802027],
  [3, 3.182446305284263, 1.637744357215907, 0.14223375436394847],
  [4, 2.7764451051977987, 1.533206273713144, 0.13172579823561206],
  [5, 2.5705818366147395, 1.4758840487820273, 0.12515031708533858],
  [9, 2.2621571627409915, 1.3830287383964925, 0.1129531863365247],
  [29, 2.045229642132703, 1.311433643950529, 0.10191959183101489],
  [120, 1.9799304050527766, 1.2886462336537166, 0.09804623887954314],
];

// Quantiles to 1e-7 (bisection on a CDF accurate to ~1e-12): far finer than any timing interval needs.
describe('Student t distribution', () => {
  test.each(SCIPY_T)('matches scipy at %i degrees of freedom', (df, q975, q90, cdf) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(q975, 7);
    expect(studentTQuantile(0.9, df)).toBeCloseTo(q90, 7);
    expect(studentTCdf(-1.3, df)).toBeCloseTo(cdf, 12);
  });

  test('refuses a probability outside (0, 1) and fewer than one degree of freedom', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
  });
});

describe('pairedRatioInterval', () => {
  test('gives the geometric mean ratio and the t interval numpy and scipy compute on the log ratios', () => {
    // numpy: l = log(ref/run); exp(l.mean() -/+ t.ppf(0.975, 3) * l.std(ddof=1) / 2)
    const r = pairedRatioInterval([1.02, 0.95, 1.10, 0.99], [0.51, 0.50, 0.61, 0.47]);
    expect(r.ratio).toBeCloseTo(1.9491530681304658, 12);
    expect(r.low).toBeCloseTo(1.7526148234534502, 7);
    expect(r.high).toBeCloseTo(2.1677311136261284, 7);
    expect(r).toMatchObject({ pairs: 4, confidence: 0.95 });
  });

  test('has no interval from a single pair', () => {
    expect(pairedRatioInterval([2], [1])).toEqual({ ratio: 2, low: null, high: null, pairs: 1, confidence: 0.95 });
  });

  test('refuses unequal counts, no pairs, and times that are not positive', () => {
    expect(() => pairedRatioInterval([1, 2], [1])).toThrow(FormatError);
    expect(() => pairedRatioInterval([], [])).toThrow(/at least one pair/);
    expect(() => pairedRatioInterval([1, 0], [1, 1])).toThrow(/times\[1\]/);
    expect(() => pairedRatioInterval([1], [NaN])).toThrow(FormatError);
  });
});
