import { readFileSync } from 'node:fs';
import { readFontMetrics, textWidth } from './font-metrics.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/text-widths.json', import.meta.url), 'utf8')) as {
  fonts: Record<string, string>;
  cases: { weight: string; text: string; fontSize: number; expected: number }[];
};

describe('readFontMetrics', () => {
  test('text widths equal the sums of hmtx advances that fontTools reads (DejaVu Sans, regular and bold)', () => {
    const fonts = Object.fromEntries(Object.entries(fixture.fonts).map(([w, path]) => [w, readFontMetrics(path)]));
    for (const c of fixture.cases) {
      expect(textWidth(fonts[c.weight], c.text, c.fontSize)).toBeCloseTo(c.expected, 9);
    }
  });

  test('bold text is wider than regular text', () => {
    const regular = readFontMetrics(fixture.fonts.regular);
    const bold = readFontMetrics(fixture.fonts.bold);
    expect(textWidth(bold, 'speedup', 12)).toBeGreaterThan(textWidth(regular, 'speedup', 12));
  });

  test('a file that is not a font gives an error naming it', () => {
    const notAFont = new URL('./fixtures/text-widths.json', import.meta.url).pathname;
    expect(() => readFontMetrics(notAFont)).toThrow(/text-widths\.json/);
  });
});
