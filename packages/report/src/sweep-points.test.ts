import type { SweepRow } from '@teacache/core';
import { sweepPoints, thresholdLabel } from './sweep-points.js';
import { handSweepRow } from './synthetic-inputs.js';

/** Reference runs for prompts p and q. */
const references = [handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'none', prompt: 'q' })];
const run = (over: Partial<SweepRow> & Pick<SweepRow, 'policy'>) => handSweepRow(over);

describe('sweepPoints', () => {
  test('averages speed and quality over prompts and seeds (worked by hand)', () => {
    const [p] = sweepPoints([...references,
      run({ policy: 'teacache', wallSpeedup: 1.5, psnr: 30, ssim: 0.8 }),
      run({ policy: 'teacache', prompt: 'q', wallSpeedup: 2.5, psnr: 34, ssim: 0.9 })]);
    expect(p).toMatchObject({ model: 'm', policy: 'teacache', threshold: 0.1, runs: 2, identicalRuns: 0 });
    expect(p.wallSpeedup).toBeCloseTo(2, 15);
    expect(p.psnr).toBeCloseTo(32, 15);
    expect(p.ssim).toBeCloseTo(0.85, 15);
  });

  test('counts an identical output (PSNR Infinity) at the cap before averaging', () => {
    const [p] = sweepPoints([...references,
      run({ policy: 'teacache', psnr: Infinity }), run({ policy: 'teacache', prompt: 'q', psnr: 40 })], { psnrCap: 60 });
    expect(p.psnr).toBeCloseTo(50, 15); // (60 + 40) / 2
    expect(p.identicalRuns).toBe(1);
  });

  test('marks the Pareto front among the policies, leaving the oracle out', () => {
    const points = sweepPoints([references[0],
      run({ policy: 'teacache', threshold: 0.1, wallSpeedup: 2, psnr: 32 }),
      run({ policy: 'teacache', threshold: 0.2, wallSpeedup: 3, psnr: 25 }),
      run({ policy: 'interval', threshold: 2, wallSpeedup: 1.8, psnr: 28 }), // beaten by teacache 0.1
      run({ policy: 'oracle', threshold: 0.1, wallSpeedup: 4, psnr: 40 })]); // beats all, but is a bound
    const front = Object.fromEntries(points.map((p) => [`${p.policy} ${p.thresholdLabel}`, p.paretoPsnr]));
    expect(front).toEqual({ 'teacache 0.1': true, 'teacache 0.2': true, 'interval k=2': false, 'oracle 0.1': false });
  });

  test('orders points by model, then policy as the cache package lists them, then threshold', () => {
    const points = sweepPoints([references[0], run({ policy: 'oracle' }), run({ policy: 'interval', threshold: 3 }),
      run({ policy: 'teacache', threshold: 0.2 }), run({ policy: 'teacache', threshold: 0.1 })]);
    expect(points.map((p) => `${p.policy} ${p.thresholdLabel}`)).toEqual(['teacache 0.1', 'teacache 0.2', 'interval k=3', 'oracle 0.1']);
  });

  test('names policy variants by the parameters that differ, files by their base name', () => {
    const points = sweepPoints([references[0],
      run({ policy: 'teacache', params: { threshold: 0.1, indicator: 'modulated', coefficientsFile: 'fits/a.json' } }),
      run({ policy: 'teacache', params: { threshold: 0.1, indicator: 'timestep', coefficientsFile: 'fits/a.json' } }),
      run({ policy: 'interval', threshold: 2, params: { interval: 2 } })]);
    expect(points.map((p) => p.variant)).toEqual(['teacache · indicator=modulated', 'teacache · indicator=timestep', 'interval']);
    const files = sweepPoints([references[0],
      run({ policy: 'teacache', params: { threshold: 0.1, coefficientsFile: 'fits/a.json' } }),
      run({ policy: 'teacache', params: { threshold: 0.1, coefficientsFile: 'fits/b.json' } })]);
    expect(files.map((p) => p.variant)).toEqual(['teacache · coefficientsFile=a.json', 'teacache · coefficientsFile=b.json']);
  });

  test('reference runs alone give no points', () => {
    expect(sweepPoints(references)).toEqual([]);
  });
});

describe('thresholdLabel', () => {
  test('writes the interval policy as k and other thresholds with 3 significant digits', () => {
    expect(thresholdLabel('interval', 3)).toBe('k=3');
    expect(thresholdLabel('teacache', 0.123456)).toBe('0.123');
    expect(thresholdLabel('teacache', 0.1)).toBe('0.1');
  });
});
