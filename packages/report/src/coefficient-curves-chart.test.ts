import { polyvalHighestFirst } from '@teacache/core';
import { coefficientCurves, coefficientCurvesChart } from './coefficient-curves-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { syntheticCoefficients, syntheticReference } from './synthetic-inputs.js';

const ours = syntheticCoefficients('dit-s'); // xRange [0.024, 0.28]
const published = syntheticReference('pub-A', [500, -280, 55, -3.8, 0.26]); // no x range
const publishedWithRange = syntheticReference('pub-B', [1, 2, 3], [0.05, 0.25]);

describe('coefficientCurves', () => {
  test('evaluates each set over the x range it was fitted on', () => {
    const [curve] = coefficientCurves([], [publishedWithRange]);
    expect(curve.points[0]).toEqual({ x: 0.05, y: polyvalHighestFirst([1, 2, 3], 0.05) });
    expect(curve.points[curve.points.length - 1].x).toBeCloseTo(0.25, 15);
    expect(curve).toMatchObject({ label: 'pub-B', source: 'published', indicator: 'modulated' });
  });

  test('draws a set without a range over our fits\' span, marked as assumed', () => {
    const curves = coefficientCurves([ours], [published]);
    expect(curves[0]).toMatchObject({ label: 'dit-s (ours)', source: 'ours' });
    expect(curves[1]).toMatchObject({ label: 'pub-A', source: 'published, range assumed', xRange: [0.024, 0.28] });
  });

  test('uses the given fallback range, or [0, 0.3] without fits', () => {
    expect(coefficientCurves([], [published])[0].xRange).toEqual([0, 0.3]);
    expect(coefficientCurves([], [published], { fallbackXRange: [0.1, 0.2] })[0].xRange).toEqual([0.1, 0.2]);
    expect(() => coefficientCurves([], [published], { fallbackXRange: [0.2, 0.1] })).toThrow(/fallbackXRange/);
  });

  test('tells apart two sets of one model and indicator by file name', () => {
    const a = { ...published, source: 'refs/wan-t2v.json' };
    const b = { ...published, source: 'refs/wan-t2v-ret.json' };
    const c = { ...published, indicator: 'timestep' as const, source: 'refs/other.json' };
    expect(coefficientCurves([], [a, b, c]).map((x) => x.label)).toEqual(['pub-A [wan-t2v]', 'pub-A [wan-t2v-ret]', 'pub-A']);
  });

  test('names a target other than the output', () => {
    expect(coefficientCurves([{ ...ours, target: 'residual' }], [])[0].label).toBe('dit-s (ours) → residual');
  });

  test('no sets at all, a NaN coefficient, or a reversed range are errors', () => {
    expect(() => coefficientCurves([], [])).toThrow(/at least one coefficient set/);
    expect(() => coefficientCurves([{ ...ours, coefficients: { highestFirst: [NaN] } }], [])).toThrow(/highestFirst\[0\]": expected a finite number/);
    expect(() => coefficientCurves([{ ...ours, xRange: [0.3, 0.1] }], [])).toThrow(/field "xRange"/);
  });
});

describe('coefficientCurvesChart', () => {
  test('compiles without warnings and renders one line per set, solid, dashed or dotted by source', async () => {
    const chart = coefficientCurvesChart([ours], [published, publishedWithRange]);
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    expect(countDataMarks(svg)).toBe(3);
    expect(svg).toMatch(/stroke-dasharray="7,3"/);
    expect(svg).toMatch(/stroke-dasharray="2,2"/);
    expect(svg).toContain('estimated output relative L1, poly(x)');
    expect(svg).toContain('published, range not published: drawn over 0.024–0.28');
  });

  test('puts each indicator in its own panel', () => {
    const chart = coefficientCurvesChart([ours, syntheticCoefficients('dit-s', 'timestep')], []);
    expect((chart.spec as { vconcat: { title: { text: string } }[] }).vconcat.map((p) => p.title.text))
      .toEqual(['indicator: modulated input (first block)', 'indicator: timestep embedding']);
  });

  test('cuts the y axis where a polynomial runs far off, and says so', () => {
    const wild = syntheticReference('wild', [1e5, 0, 0, 0, 0]); // 8100 at x = 0.3
    const spec = JSON.stringify(coefficientCurvesChart([ours], [wild]).spec);
    expect(spec).toContain('"domain":[-0.25,1]');
    expect(spec).toContain('y axis cut at 1');
    expect(JSON.stringify(coefficientCurvesChart([ours], []).spec)).not.toContain('y axis cut');
  });
});
