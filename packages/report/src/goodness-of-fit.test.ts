import { readFileSync } from 'node:fs';
import { linspace, rSquared } from './goodness-of-fit.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/reference-stats.json', import.meta.url), 'utf8')) as {
  r2: { x: number[]; y: number[]; highestFirst: number[]; expected: number };
};

describe('rSquared', () => {
  test('matches 1 - SS_res/SS_tot computed with numpy for a noisy degree-4 polynomial', () => {
    const { x, y, highestFirst, expected } = fixture.r2;
    expect(rSquared(x, y, highestFirst)).toBeCloseTo(expected, 10);
  });

  test('is 1 for points exactly on the polynomial and 0 for the constant mean', () => {
    const x = [0, 1, 2, 3];
    const y = x.map((v) => 2 * v + 1);
    expect(rSquared(x, y, [2, 1])).toBeCloseTo(1, 15);
    expect(rSquared(x, y, [4])).toBeCloseTo(0, 15); // mean of 1, 3, 5, 7 is 4
  });

  test('is null for constant y or no points, and throws on mismatched lengths', () => {
    expect(rSquared([1, 2], [3, 3], [1])).toBeNull();
    expect(rSquared([], [], [1])).toBeNull();
    expect(() => rSquared([1, 2], [1], [1])).toThrow(/2 x values but 1 y values/);
  });
});

describe('linspace', () => {
  test('spaces values evenly with both ends included', () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => linspace(0, 1, 1)).toThrow(/count must be >= 2/);
  });
});
