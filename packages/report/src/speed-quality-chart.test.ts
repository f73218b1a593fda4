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
    expect(svg).toContain('wall-clock speedup over uncached (×)');
    expect(svg).toContain(metric === 'psnr' ? 'PSNR against the uncached output (dB)' : 'SSIM against the uncached output (0–1)');
    expect(svg).toContain('k=3');
    expect(svg).toContain('oracle (rule fed the true output change)');
  });

  test('draws the PSNR target as a rule and says when identical outputs were capped', () => {
    const rows = [handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'teacache', psnr: Infinity })];
    const spec = JSON.stringify(speedQualityChart(rows, 'psnr', { targetPsnr: 35, psnrCap: 55 }).spec);
    expect(spec).toContain('dotted rule: 35 dB target');
    expect(spec).toContain('runs identical to the uncached output counted at 55 dB');
    expect(spec).toContain('"target":35');
  });

  test('a sweep with only reference runs, or none at all, is an error', () => {
    expect(() => speedQualityChart([handSweepRow({ policy: 'none' })], 'psnr')).toThrow(/at least one cached run/);
    expect(() => speedQualityChart([], 'psnr')).toThrow(/at least one sweep row/);
  });

  test('a cached run without its reference run is an error', () => {
    expect(() => speedQualityChart([handSweepRow({ policy: 'teacache', referenceWallSeconds: 0 })], 'ssim')).toThrow(/reference run: the uncached run of model "m"/);
  });
});
