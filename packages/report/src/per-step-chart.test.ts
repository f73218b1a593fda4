import { perStepChart, perStepPoints } from './per-step-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { syntheticMetadata, syntheticTraces, traceRow } from './synthetic-inputs.js';

/** Three runs of model "m", 3 steps; the modulated change at step 1 is 0.1, 0.2 and 0.6. */
function threeRuns(step1Modulated = [0.1, 0.2, 0.6]) {
  const ids = ['r1', 'r2', 'r3'];
  return {
    rows: ids.flatMap((id, i) => [traceRow(id, 0), traceRow(id, 1, { modulated: step1Modulated[i], output: 0.3 }), traceRow(id, 2)]),
    metadata: ids.map((id) => syntheticMetadata(id, 'm')),
  };
}

describe('perStepPoints', () => {
  test('summarises each signal at each step by median and quartiles across runs (worked by hand)', () => {
    const p = perStepPoints(threeRuns()).find((x) => x.signal === 'modulated' && x.step === 1)!;
    // sorted 0.1, 0.2, 0.6: median 0.2; q1 at position 0.5 -> 0.15; q3 at position 1.5 -> 0.4
    expect(p.median).toBeCloseTo(0.2, 15);
    expect(p.q1).toBeCloseTo(0.15, 15);
    expect(p.q3).toBeCloseTo(0.4, 15);
    expect(p.samples).toBe(3);
  });

  test('leaves out step 0, which has no previous step', () => {
    const points = perStepPoints(threeRuns());
    expect(points.some((p) => p.step === 0)).toBe(false);
    expect(new Set(points.map((p) => p.step))).toEqual(new Set([1, 2]));
  });

  test('counts both guidance branches as samples', () => {
    const traces = syntheticTraces({ models: ['dit-s'], prompts: 2, seeds: 1, steps: 5 });
    const p = perStepPoints(traces).find((x) => x.signal === 'output' && x.step === 3)!;
    expect(p.samples).toBe(2 * 2); // 2 runs x 2 branches
  });
});

describe('perStepChart', () => {
  test('compiles without vega-lite warnings and renders data marks with titled axes', async () => {
    const chart = perStepChart(syntheticTraces({ steps: 8 }));
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    expect(countDataMarks(svg)).toBeGreaterThan(0);
    expect(svg).toContain('sampling step (index)');
    expect(svg).toContain('relative L1 to previous step');
    expect(svg).toContain('modulated input (first block)');
  });

  test('uses a log axis when every value is positive, a linear one when a value is 0', () => {
    const scaleOf = (chart: ReturnType<typeof perStepChart>) => JSON.stringify(chart.spec).match(/"type":"(log|linear)"/)![1];
    expect(scaleOf(perStepChart(threeRuns()))).toBe('log');
    expect(scaleOf(perStepChart(threeRuns([0, 0, 0])))).toBe('linear');
  });

  test('empty input is an error, not an empty chart', () => {
    expect(() => perStepChart({ rows: [], metadata: [] })).toThrow(/at least one trace row/);
  });
});
