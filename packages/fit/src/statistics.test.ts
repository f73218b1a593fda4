import { readFileSync } from 'node:fs';
import { averageRanks, goodnessOfFit, pearson, spearman } from './statistics.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/statistics.json', import.meta.url), 'utf8'));

describe('correlations against numpy', () => {
  for (const c of fixture.correlation) {
    test(`Pearson and Spearman match: ${c.name}`, () => {
      expect(pearson(c.x, c.y)).toBeCloseTo(c.pearson, 12);
      expect(spearman(c.x, c.y)).toBeCloseTo(c.spearman, 12);
    });
  }

  test('tied values share the mean of their ranks', () => {
    const ties = fixture.correlation.find((c: { name: string }) => c.name === 'ties on both sides');
    expect(averageRanks(ties.x)).toEqual(ties.ranksX);
    expect(averageRanks(ties.y)).toEqual(ties.ranksY);
  });

  test('a constant side has no correlation', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNull();
  });
});

describe('goodness of fit', () => {
  test('R², RMSE and MAE match numpy', () => {
    const g = fixture.goodness;
    const ours = goodnessOfFit(g.y, g.predicted);
    expect(ours.r2).toBeCloseTo(g.r2, 12);
    expect(ours.rmse).toBeCloseTo(g.rmse, 12);
    expect(ours.mae).toBeCloseTo(g.mae, 12);
  });

  test('a hand computation: residuals 1, -1, 2 around y = 1, 2, 3', () => {
    const ours = goodnessOfFit([1, 2, 3], [0, 3, 1]);
    expect(ours.rmse).toBeCloseTo(Math.sqrt(6 / 3), 12);
    expect(ours.mae).toBeCloseTo(4 / 3, 12);
    expect(ours.r2).toBeCloseTo(1 - 6 / 2, 12);
  });

  test('R² is null when the target is constant', () => {
    expect(goodnessOfFit([2, 2, 2], [2, 2, 2.1]).r2).toBeNull();
  });
});
