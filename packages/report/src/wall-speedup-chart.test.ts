import { wallSpeedupChart } from './wall-speedup-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { handSweepRow, syntheticSweep } from './synthetic-inputs.js';

describe('wallSpeedupChart', () => {
  test('compiles without warnings and draws points with interval bars against the FLOP speedup', async () => {
    const chart = wallSpeedupChart(syntheticSweep({ steps: 10 }));
    expect(chart.id).toBe('wall-speedup');
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    expect(countDataMarks(svg)).toBeGreaterThan(20);
    expect(svg).toContain('speedup in FLOPs (×)');
    expect(svg).toContain('wall-clock speedup, measured (×)');
    expect(svg).not.toContain('oracle');
  });

  test('leaves out runs flagged impossible and says how many', () => {
    const rows = [handSweepRow({ policy: 'none' }),
      handSweepRow({ policy: 'teacache', threshold: 0.1, stepSpeedup: 2, wallSpeedup: 1.8 }),
      handSweepRow({ policy: 'teacache', threshold: 0.2, stepSpeedup: 2, wallSpeedup: 3.5, wallSpeedupImpossible: true }),
      handSweepRow({ policy: 'oracle', threshold: 0.1 })];
    const spec = wallSpeedupChart(rows).spec as { data: { values: { thresholdLabel: string }[] }; title: { subtitle: string[] } };
    expect(spec.data.values.map((v) => v.thresholdLabel)).toEqual(['0.1']);
    expect(spec.title.subtitle.join(' ')).toContain('1 run(s) whose wall speedup exceeded their step speedup beyond their interval are flagged and left out');
  });

  test('refuses a sweep with no wall time to show', () => {
    expect(() => wallSpeedupChart([handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'oracle' })])).toThrow(/field "wallSpeedup"/);
  });
});
