import { speedQualityChart } from './speed-quality-chart.js';
import { compileToVega, renderSvg } from './render-svg.js';
import { countDataMarks } from './svg-marks.js';
import { handSweepRow, syntheticSweep } from './synthetic-inputs.js';

describe('speedQualityChart', () => {
  test.each(['psnr', 'ssim'] as const)('the %s chart compiles without warnings and renders lines, points and threshold labels', async (metric) => {
    const chart = speedQualityChart(syntheticSweep({ steps: 10 }), metric);
    expect(chart.id).toBe(`speed-${metric}`);
    expect(compileToVega(chart.spec).warnings).toEqual([]);
    const svg = await renderSvg(chart.spec);
    expect(countDataMarks(svg)).toBeGreaterThan(20);
    expect(svg).toContain('speedup in FLOPs over uncached (×)');
    expect(svg).not.toContain('wall-clock');
    expect(svg).toContain(metric === 'psnr' ? 'PSNR, 8-bit frames against the uncached output (dB)' : 'SSIM, 8-bit frames against the uncached output');
    expect(JSON.stringify(chart.spec)).toContain('k=3'); // interval settings are named k=… (tooltips, labels)
    expect(svg).toMatch(/class="mark-text role-mark[^"]*"[^>]*><text[^>]*>[0-9.]+<\/text>/); // threshold labels drawn
    expect(svg).toContain('oracle (bound)');
  });

  test('draws the PSNR target as a rule and says when identical outputs were capped', () => {
    const rows = [handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'teacache', psnr: Infinity })];
    const spec = JSON.stringify(speedQualityChart(rows, 'psnr', { targetPsnr: 35, psnrCap: 55 }).spec);
    expect(spec).toContain('dotted rule: 35 dB target');
    expect(spec).toContain('runs identical to the uncached output counted at 55 dB');
    expect(spec).toContain('"target":35');
  });

  test('labels only the Pareto front and the points near the PSNR target, once per place', () => {
    const rows = [handSweepRow({ policy: 'none' }),
      handSweepRow({ policy: 'teacache', threshold: 0.1, stepSpeedup: 1.5, psnr: 40 }), // front
      handSweepRow({ policy: 'teacache', threshold: 0.2, stepSpeedup: 2, psnr: 30.5 }), // front, near the target
      handSweepRow({ policy: 'interval', threshold: 2, stepSpeedup: 1.2, psnr: 25 }), // neither: no label
      handSweepRow({ policy: 'interval', threshold: 3, stepSpeedup: 1.8, psnr: 29 }), // near the target
      handSweepRow({ policy: 'interval', threshold: 4, stepSpeedup: 1.8, psnr: 29 })]; // same place: one label
    const values = (speedQualityChart(rows, 'psnr', { targetPsnr: 30 }).spec as { data: { values: { label: string }[] } }).data.values;
    expect(values.map((v) => v.label)).toEqual(['0.1', '0.2', '', 'k=3, k=4', '']);
  });

  test('drops a label that would print over another point or label', () => {
    const rows = [handSweepRow({ policy: 'none' }),
      handSweepRow({ policy: 'teacache', threshold: 0.1, stepSpeedup: 1.5, psnr: 40 }),
      handSweepRow({ policy: 'teacache', threshold: 0.2, stepSpeedup: 2.0, psnr: 30.2 }), // near the target
      handSweepRow({ policy: 'interval', threshold: 2, stepSpeedup: 2.02, psnr: 30.4 }), // a few px away: one of the two goes
      handSweepRow({ policy: 'teacache', threshold: 0.3, stepSpeedup: 3, psnr: 20 })];
    const values = (speedQualityChart(rows, 'psnr', { targetPsnr: 30 }).spec as { data: { values: { thresholdLabel: string; label: string }[] } }).data.values;
    const labels = Object.fromEntries(values.map((v) => [v.thresholdLabel, v.label]));
    expect([labels['0.1'], labels['0.3']]).toEqual(['0.1', '0.3']);
    expect([labels['0.2'], labels['k=2']].filter((l) => l !== '')).toHaveLength(1);
  });

  test('reads the pooled-float PSNR when asked, and says so on the axis', async () => {
    const svg = await renderSvg(speedQualityChart(syntheticSweep({ steps: 10 }), 'psnr', { psnrProtocol: 'pooled' }).spec);
    expect(svg).toContain('PSNR, pooled float against the uncached output (dB)');
  });

  test('a sweep with only reference runs, or none at all, is an error', () => {
    expect(() => speedQualityChart([handSweepRow({ policy: 'none' })], 'psnr')).toThrow(/at least one cached run/);
    expect(() => speedQualityChart([], 'psnr')).toThrow(/at least one sweep row/);
  });

  test('a cached run without its reference run is an error', () => {
    expect(() => speedQualityChart([handSweepRow({ policy: 'teacache', referenceWallSeconds: 0 })], 'ssim')).toThrow(/reference run: the uncached run of model "m"/);
  });
});
