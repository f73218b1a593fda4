import { polyvalHighestFirst } from '@teacache/core';
import { correlationChart, correlationPanels } from './correlation-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { syntheticCoefficients, syntheticMetadata, syntheticTraces, traceRow } from './synthetic-inputs.js';

const POLY = [2, 0.5, 0.01]; // y = 2x² + 0.5x + 0.01

/** One run of model "m" whose output change lies exactly on POLY of the modulated change. */
function exactRun() {
  const xs = [0.05, 0.1, 0.2, 0.3];
  return {
    rows: [traceRow('r', 0), ...xs.map((x, i) => traceRow('r', i + 1, { modulated: x, output: polyvalHighestFirst(POLY, x) }))],
    metadata: [syntheticMetadata('r', 'm', 'p', 0, 5)],
  };
}
const fitOf = (over: object = {}) => ({ ...syntheticCoefficients('m'), coefficients: { highestFirst: POLY }, xRange: [0.05, 0.3] as [number, number], ...over });

describe('correlationPanels', () => {
  test('gives one panel per model and cheap indicator, with the measured pairs', () => {
    const panels = correlationPanels(exactRun());
    expect(panels.map((p) => p.indicator)).toEqual(['modulated', 'timestep', 'noisy']);
    expect(panels[0].points).toHaveLength(4);
    expect(panels[0].fit).toBeNull();
  });

  test('R² of a polynomial the points lie on exactly is 1', () => {
    const [modulated] = correlationPanels(exactRun(), [fitOf()]);
    expect(modulated.r2).toBeCloseTo(1, 12);
  });

  test('a fit for another target adds its panel', () => {
    const panels = correlationPanels(exactRun(), [fitOf({ target: 'residual' })]);
    expect(panels.map((p) => `${p.indicator}->${p.target}`)).toContain('modulated->residual');
  });

  test('a coefficient set for a model without traces is a mismatch naming the model', () => {
    expect(() => correlationPanels(exactRun(), [fitOf({ model: 'other' })]))
      .toThrow(/coefficients, row 1, field "model": expected a model with traces \(m\), found "other"/);
  });

  test('two sets for the same panel, or a NaN coefficient, are errors', () => {
    expect(() => correlationPanels(exactRun(), [fitOf(), fitOf()])).toThrow(/one coefficient set per model, indicator and target/);
    expect(() => correlationPanels(exactRun(), [fitOf({ coefficients: { highestFirst: [1, NaN] } })]))
      .toThrow(/field "coefficients.highestFirst\[1\]": expected a finite number, found NaN/);
  });
});

describe('traces from a framework that lacks a signal', () => {
  const lacking = (signal: 'noisy' | 'output') => {
    const rows = [0, 1, 2, 3].map((s) => traceRow('r', s, { modulated: 0.01 * (s + 1), output: 0.02 * s, timestep: 0.05, noisy: 0.1 }));
    for (const r of rows) r.relL1[signal] = null;
    return { rows, metadata: [syntheticMetadata('r', 'torch-model', 'p', 0, 4)] };
  };

  test('a missing indicator column drops its panel only', () => {
    const panels = correlationPanels(lacking('noisy'));
    expect(panels.map((p) => p.indicator).sort()).toEqual(['modulated', 'timestep']);
  });

  test('without the output column nothing can be plotted, and the error says which pairs are missing', () => {
    expect(() => correlationPanels(lacking('output'))).toThrow(/steps after step 0 with both modulated and output for model "torch-model"/);
  });
});

describe('correlationChart', () => {
  test('draws the fitted polynomial from the start to the end of its x range', () => {
    const chart = correlationChart(exactRun(), [fitOf()]);
    const values = JSON.stringify(chart.spec);
    const curve = JSON.parse(values).vconcat[0].hconcat[0].data.values.filter((v: { series: string }) => v.series.startsWith('fitted'));
    expect(curve[0].x).toBe(0.05);
    expect(curve[curve.length - 1].x).toBeCloseTo(0.3, 15);
    expect(curve[curve.length - 1].y).toBeCloseTo(polyvalHighestFirst(POLY, 0.3), 12);
  });

  test('compiles without warnings and renders points, curves and the R² in the panel title', async () => {
    const traces = syntheticTraces({ steps: 8 });
    const chart = correlationChart(traces, [syntheticCoefficients('dit-s')]);
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    expect(countDataMarks(svg)).toBeGreaterThan(100);
    expect(svg).toMatch(/R² = 0\.\d{3} on these points \(fit: 0\.950\)/);
    expect(svg).toContain('relative L1 of model output');
  });

  test('no traces is an error', () => {
    expect(() => correlationChart({ rows: [], metadata: [] })).toThrow(/at least one trace row/);
  });
});
