import { readFileSync } from 'node:fs';
import { quantile, quartiles } from './quantile.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference-stats.json', import.meta.url), 'utf8')) as {
  quantiles: { values: number[]; q: number[]; expected: number[] }[];
};

describe('quantile', () => {
  test('matches numpy.quantile (linear method) on every fixture sample and q', () => {
    for (const c of fixture.quantiles) {
      c.q.forEach((q, i) => expect(quantile(c.values, q)).toBeCloseTo(c.expected[i], 12));
    }
  });

  test('interpolates between order statistics by hand: [1, 2, 3, 4] at 0.25 is 1.75', () => {
    // position = 0.25 * (4 - 1) = 0.75 -> 1 + 0.75 * (2 - 1)
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 15);
  });

  test('quartiles give the median and the interquartile range of a sample', () => {
    expect(quartiles([5, 1, 4, 2, 3])).toEqual({ q1: 2, median: 3, q3: 4 });
  });

  test('refuses an empty sample, a NaN, an infinity and a q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty sample/);
    expect(() => quantile([1, NaN, 2], 0.5)).toThrow(/non-finite/);
    expect(() => quantile([1, Infinity], 0.5)).toThrow(/non-finite/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/q must be in \[0, 1\]/);
  });
});
