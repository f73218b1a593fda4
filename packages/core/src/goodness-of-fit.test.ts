import { readFileSync } from 'node:fs';
import { goodnessOfFit, polynomialGoodnessOfFit } from './goodness-of-fit.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/goodness-of-fit.json', import.meta.url), 'utf8'));

describe('goodnessOfFit', () => {
  test('R², RMSE and MAE match numpy on noisy predictions', () => {
    const g = fixture.predictions;
    const ours = goodnessOfFit(g.y, g.predicted);
    expect(ours.r2).toBeCloseTo(g.r2, 12);
    expect(ours.rmse).toBeCloseTo(g.rmse, 12);
    expect(ours.mae).toBeCloseTo(g.mae, 12);
  });

  test('matches a hand computation: residuals 1, -1, 2 around y = 1, 2, 3', () => {
    const ours = goodnessOfFit([1, 2, 3], [0, 3, 1]);
    expect(ours.rmse).toBeCloseTo(Math.sqrt(6 / 3), 12);
    expect(ours.mae).toBeCloseTo(4 / 3, 12);
    expect(ours.r2).toBeCloseTo(1 - 6 / 2, 12);
  });

  test('R² is null when the target is constant', () => {
    expect(goodnessOfFit([2, 2, 2], [2, 2, 2.1]).r2).toBeNull();
  });

  test('refuses no points and lists of different lengths', () => {
    expect(() => goodnessOfFit([], [])).toThrow(/no points/);
    expect(() => goodnessOfFit([1, 2], [1])).toThrow(/2 observations but 1 predictions/);
  });
});

describe('polynomialGoodnessOfFit', () => {
  test('R² of a noisy degree-4 polynomial matches numpy.polyval and 1 - SS_res/SS_tot', () => {
    const { x, y, highestFirst, r2 } = fixture.polynomial;
    expect(polynomialGoodnessOfFit(x, y, highestFirst).r2).toBeCloseTo(r2, 10);
  });

  test('R² is 1 for points on the polynomial and 0 for the constant mean', () => {
    const x = [0, 1, 2, 3];
    const y = x.map((v) => 2 * v + 1);
    expect(polynomialGoodnessOfFit(x, y, [2, 1]).r2).toBeCloseTo(1, 15);
    expect(polynomialGoodnessOfFit(x, y, [4]).r2).toBeCloseTo(0, 15); // mean of 1, 3, 5, 7 is 4
  });

  test('refuses mismatched x and y', () => {
    expect(() => polynomialGoodnessOfFit([1, 2], [1], [1])).toThrow(/2 x values but 1 y values/);
  });
});
