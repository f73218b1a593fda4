import { policyPalette } from './policy-palette.js';

describe('policyPalette', () => {
  test('gives variants of one policy shades of one hue and different policies different hues', () => {
    const { domain, range } = policyPalette([
      { legend: 'interval', policy: 'interval' }, { legend: 'teacache · r=1', policy: 'teacache' },
      { legend: 'teacache · r=5', policy: 'teacache' }, { legend: 'oracle', policy: 'oracle' },
    ]);
    // policies in the cache package's order: teacache, interval, ..., oracle
    expect(domain).toEqual(['teacache · r=1', 'teacache · r=5', 'interval', 'oracle']);
    const hue = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      if (max === min) return null;
      const h = max === r ? (g - b) / (max - min) : max === g ? 2 + (b - r) / (max - min) : 4 + (r - g) / (max - min);
      return ((h * 60) + 360) % 360;
    };
    expect(range[0]).not.toBe(range[1]);
    expect(Math.abs(hue(range[0])! - hue(range[1])!)).toBeLessThan(15);
    expect(Math.abs(hue(range[0])! - hue(range[2])!)).toBeGreaterThan(90);
    expect(hue(range[3])).toBeNull(); // the oracle in grey: a bound, not a method
  });

  test('lists each legend entry once', () => {
    const { domain, range } = policyPalette([{ legend: 'a', policy: 'teacache' }, { legend: 'a', policy: 'teacache' }]);
    expect(domain).toEqual(['a']);
    expect(range).toHaveLength(1);
  });
});
