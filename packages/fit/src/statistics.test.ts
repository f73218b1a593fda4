import { readFileSync } from 'node:fs';
import { averageRanks, pearson, spearman } from './statistics.js';

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
