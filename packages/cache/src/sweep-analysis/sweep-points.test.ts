import type { SweepRow } from '@teacache/core';
import { sweepPoints, thresholdLabel } from './sweep-points.js';
import { handSweepRow } from '../test-support/sweep-row.js';

/** Reference runs for prompts p and q. */
const references = [handSweepRow({ policy: 'none' }), handSweepRow({ policy: 'none', prompt: 'q' })];
const run = (over: Partial<SweepRow> & Pick<SweepRow, 'policy'>) => handSweepRow(over);

describe('sweepPoints', () => {
  test('averages speed and quality over prompts and seeds (worked by hand)', () => {
    const [p] = sweepPoints([...references,
      run({ policy: 'teacache', wallSpeedup: 1.5, psnr: 30, ssim: 0.8, flopSpeedup: 1.2 }),
      run({ policy: 'teacache', prompt: 'q', wallSpeedup: 2.5, psnr: 34, ssim: 0.9, flopSpeedup: 1.4 })]);
    expect(p).toMatchObject({ model: 'm', policy: 'teacache', threshold: 0.1, runs: 2, identicalRuns: 0, wallPairs: 2, flaggedRuns: 0 });
    // wall: the geometric mean of the ratios, √(1.5 · 2.5); its 95% interval: exp(m ± t(0.975, 1) · s / √2) on the logs
    expect(p.wallSpeedup).toBeCloseTo(Math.sqrt(1.5 * 2.5), 14);
    const half = 12.706204736432095 * Math.abs(Math.log(2.5) - Math.log(1.5)) / Math.SQRT2 / Math.SQRT2;
    expect(p.wallSpeedupLow).toBeCloseTo(Math.sqrt(1.5 * 2.5) * Math.exp(-half), 6);
    expect(p.wallSpeedupHigh).toBeCloseTo(Math.sqrt(1.5 * 2.5) * Math.exp(half), 6);
    expect(p.flopSpeedup).toBeCloseTo(1.3, 15);
    expect(p.psnr).toBeCloseTo(32, 15);
    expect(p.ssim).toBeCloseTo(0.85, 15);
  });

  test('pools every timed pair of the runs, leaving out runs flagged impossible', () => {
    const timed = (over: Partial<SweepRow>) => run({ policy: 'teacache', repeats: 2, ...over });
    const [p] = sweepPoints([...references,
      timed({ referenceWallSecondsRepeats: [2, 2.2], wallSecondsRepeats: [1, 1] }),
      timed({ prompt: 'q', referenceWallSecondsRepeats: [3, 3], wallSecondsRepeats: [1, 1.5] }),
      timed({ prompt: 'q', seed: 1, referenceWallSecondsRepeats: [9, 9], wallSecondsRepeats: [1, 1], wallSpeedupImpossible: true })]);
    expect(p.wallPairs).toBe(4);
    expect(p.flaggedRuns).toBe(1);
    expect(p.wallSpeedup).toBeCloseTo(Math.pow(2 * 2.2 * 3 * 2, 1 / 4), 14);
  });

  test('reads PSNR and SSIM under the protocol asked for, the paper\'s by default, and refuses rows without it', () => {
    const rows = [...references, run({ policy: 'teacache', psnr: 30, psnrFrames8bit: 31.5, ssim: 0.8, ssimFrames8bit: 0.82 })];
    expect(sweepPoints(rows)[0]).toMatchObject({ psnr: 31.5, ssim: 0.82, psnrProtocol: 'paper', psnrPooled: 30, psnrFrames8bit: 31.5 });
    expect(sweepPoints(rows, { psnrProtocol: 'pooled' })[0]).toMatchObject({ psnr: 30, ssim: 0.8, psnrProtocol: 'pooled' });
    const old = { ...rows[2] };
    delete old.psnrFrames8bit;
    expect(() => sweepPoints([...references, old])).toThrow(/row 3, field "psnrFrames8bit".*--psnr-protocol pooled/);
    expect(sweepPoints([...references, old], { psnrProtocol: 'pooled' })[0].psnrFrames8bit).toBeNull();
  });

  test('gives the oracle no wall speedup: it computes every step to learn the true change', () => {
    const [p] = sweepPoints([references[0], run({ policy: 'oracle', wallSpeedup: 0.5 })]);
    expect(p).toMatchObject({ policy: 'oracle', wallSpeedup: null, wallSpeedupLow: null });
  });

  test('counts an identical output (PSNR Infinity) at the cap before averaging', () => {
    const [p] = sweepPoints([...references,
      run({ policy: 'teacache', psnr: Infinity }), run({ policy: 'teacache', prompt: 'q', psnr: 40 })], { psnrCap: 60 });
    expect(p.psnr).toBeCloseTo(50, 15); // (60 + 40) / 2
    expect(p.identicalRuns).toBe(1);
  });

  test('marks the Pareto front among the policies, leaving the oracle out', () => {
    const points = sweepPoints([references[0],
      run({ policy: 'teacache', threshold: 0.1, flopSpeedup: 2, psnr: 32 }),
      run({ policy: 'teacache', threshold: 0.2, flopSpeedup: 3, psnr: 25 }),
      run({ policy: 'interval', threshold: 2, flopSpeedup: 1.8, psnr: 28, wallSpeedup: 9 }), // beaten by teacache 0.1 (wall time does not count)
      run({ policy: 'oracle', threshold: 0.1, flopSpeedup: 4, psnr: 40 })]); // beats all, but is a bound
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

  test('names retention variants by their forced steps and the published rule they follow', () => {
    const tea = (retentionSteps: number, cutoffSteps: number) => run({ policy: 'teacache', params: { threshold: 0.1, retentionSteps, cutoffSteps } });
    const points = sweepPoints([references[0], tea(1, 1), tea(5, 0), tea(3, 1)]);
    expect(points.map((p) => p.variant)).toEqual([
      'teacache · first & last step forced (published default)',
      'teacache · first 3 forced, last forced',
      'teacache · first 5 forced, last not (Wan2.1 use_ret_steps rule)',
    ]);
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
