import type { TopLevelSpec } from 'vega-lite';
import { roundChartData, roundSvgGeometry, specJson } from './compact-spec.js';

const spec = {
  width: 260,
  title: { text: 'a chart', fontSize: 12.5 },
  vconcat: [{
    data: { values: [{ x: 0.01716182753443718, y: 123456.789, series: 'measured', n: 0, inf: null }] },
    layer: [{ data: { values: [[1.23456789, -9.87654321e-7]] }, mark: 'line' }],
    encoding: { x: { scale: { domain: [0.008322849869728088, 0.18774664402008057] } } },
  }],
} as unknown as TopLevelSpec;

describe('chart data rounding', () => {
  it('keeps four significant digits in every embedded data row, nested in concat and layer', () => {
    const r = roundChartData(spec) as unknown as { vconcat: { data: { values: unknown[] }; layer: { data: { values: unknown[] } }[] }[] };
    expect(r.vconcat[0].data.values).toEqual([{ x: 0.01716, y: 123500, series: 'measured', n: 0, inf: null }]);
    expect(r.vconcat[0].layer[0].data.values).toEqual([[1.235, -9.877e-7]]);
  });

  it('leaves everything outside the data alone (scale domains, type sizes)', () => {
    const r = roundChartData(spec) as unknown as { title: { fontSize: number }; vconcat: { encoding: { x: { scale: { domain: number[] } } } }[] };
    expect(r.title.fontSize).toBe(12.5);
    expect(r.vconcat[0].encoding.x.scale.domain).toEqual([0.008322849869728088, 0.18774664402008057]);
  });

  it('does not change the spec it was given', () => {
    const before = JSON.stringify(spec);
    roundChartData(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });
});

describe('chart spec file text', () => {
  it('parses back to the same spec, with one line per data row', () => {
    const text = specJson(spec);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(spec)));
    expect(text).toContain('\n          {"x":0.01716182753443718,"y":123456.789,"series":"measured","n":0,"inf":null}\n');
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('SVG geometry rounding', () => {
  it('rounds positions in transform and path data to two decimals of a pixel and leaves the text alone', () => {
    const svg = '<g transform="translate(156.51999999999998,185.92666666666668)"><path d="M1.871,0A1.871,1.871,0,1,1,-1.87149,0L3.33333e-5,2"/>' +
      '<text transform="translate(0.125,4)">0.109345 dB</text></g>';
    expect(roundSvgGeometry(svg)).toBe('<g transform="translate(156.52,185.93)"><path d="M1.87,0A1.87,1.87,0,1,1,-1.87,0L0,2"/>' +
      '<text transform="translate(0.13,4)">0.109345 dB</text></g>');
  });
});
