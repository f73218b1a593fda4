import { readFileSync } from 'node:fs';
import { PolynomialRegression } from 'ml-regression-polynomial';
import { polyvalHighestFirst } from '@teacache/core';
import { FitRefusedError } from './errors.js';
import { fitPolynomial, unscaleCoefficients } from './polynomial-fit.js';
import { seededRandom } from '@teacache/core';

interface PolyfitFixture {
  cases: { name: string; x: number[]; y: number[]; fits: Record<string, { highestFirst: number[] }> }[];
}
const fixture: PolyfitFixture = JSON.parse(readFileSync(new URL('./fixtures/polyfit.json', import.meta.url), 'utf8'));

function worstRelativeError(ours: readonly number[], reference: readonly number[]): number {
  return Math.max(...ours.map((v, i) => Math.abs(v - reference[i]) / Math.abs(reference[i])));
}

function refusal(fn: () => unknown): string {
  try { fn(); } catch (err) {
    expect(err).toBeInstanceOf(FitRefusedError);
    return (err as FitRefusedError).reason;
  }
  throw new Error('expected the fit to be refused');
}

describe('fitPolynomial', () => {
  test('recovers an exact polynomial to rounding', () => {
    const truth = [498.651651, -283.781631, 55.8554382, -3.82021401, 0.264230861];
    const x = Array.from({ length: 30 }, (_, i) => 0.01 + i * 0.01);
    const fit = fitPolynomial(x, x.map((v) => polyvalHighestFirst(truth, v)), 4);
    expect(worstRelativeError(fit.highestFirst, truth)).toBeLessThan(1e-9);
  });

  test('recovers known coefficients through noise', () => {
    const truth = [2, -3, 0.5];
    const random = seededRandom(3);
    const x = Array.from({ length: 400 }, () => random() * 2);
    const y = x.map((v) => polyvalHighestFirst(truth, v) + 0.001 * (random() - 0.5));
    expect(worstRelativeError(fitPolynomial(x, y, 2).highestFirst, truth)).toBeLessThan(1e-3);
  });

  test('returns both coefficient orders, each the reverse of the other', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const fit = fitPolynomial(x, x.map((v) => 1 + 2 * v), 1);
    expect(fit.lowestFirst[0]).toBeCloseTo(1, 10);
    expect(fit.lowestFirst[1]).toBeCloseTo(2, 10);
    expect(fit.highestFirst).toEqual([...fit.lowestFirst].reverse());
  });

  for (const c of fixture.cases) {
    for (const [degree, reference] of Object.entries(c.fits)) {
      test(`agrees with numpy.polyfit to 1e-6 relative: ${c.name}, degree ${degree}`, () => {
        const ours = fitPolynomial(c.x, c.y, Number(degree)).highestFirst;
        expect(worstRelativeError(ours, reference.highestFirst)).toBeLessThan(1e-6);
      });
    }
  }

  test('the unscaled library alone misses numpy on a narrow x range (why the fit scales x)', () => {
    const c = fixture.cases.find((k) => k.name.startsWith('narrow range'))!;
    const raw = [...new PolynomialRegression(c.x, c.y, 6).coefficients].reverse();
    expect(worstRelativeError(raw, c.fits['6'].highestFirst)).toBeGreaterThan(1e-3);
  });
});

describe('unscaleCoefficients', () => {
  test('rewrites a polynomial in (x - centre) / scale as powers of x (hand computation)', () => {
    // 1 + 2 (x - 3) / 2 = x - 2;   (x - 1)^2 / 4 = 0.25 x^2 - 0.5 x + 0.25
    expect(unscaleCoefficients([1, 2], 3, 2)).toEqual([-2, 1]);
    expect(unscaleCoefficients([0, 0, 1], 1, 2)).toEqual([0.25, -0.5, 0.25]);
  });
});

describe('fits the toolkit refuses, with a reason', () => {
  const x = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1];
  const y = x.map((v) => v * 2);

  test('fewer than 8 points', () => {
    expect(refusal(() => fitPolynomial(x.slice(0, 7), y.slice(0, 7), 1))).toMatch(/7 pairs are too few .*need at least 8/);
  });

  test('fewer than degree + 2 points', () => {
    expect(refusal(() => fitPolynomial(x.slice(0, 8), y.slice(0, 8), 7))).toMatch(/need at least 9/);
  });

  test('a constant indicator', () => {
    expect(refusal(() => fitPolynomial(x.map(() => 0.05), y, 2))).toMatch(/indicator is constant/);
  });

  test('fewer distinct indicator values than coefficients', () => {
    const twoValues = x.map((_, i) => (i % 2 === 0 ? 0.01 : 0.02));
    expect(refusal(() => fitPolynomial(twoValues, y, 2))).toMatch(/only 2 distinct indicator values/);
  });

  test('a NaN in the target', () => {
    expect(refusal(() => fitPolynomial(x, y.map((v, i) => (i === 3 ? NaN : v)), 1))).toMatch(/pair 3 is not finite/);
  });

  test('lengths that differ', () => {
    expect(refusal(() => fitPolynomial(x, y.slice(1), 1))).toMatch(/10 indicator values but 9 target values/);
  });

  test('a degree that is not a whole number', () => {
    expect(refusal(() => fitPolynomial(x, y, 2.5))).toMatch(/whole number/);
  });
});
