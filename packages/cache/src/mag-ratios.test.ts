import type { TraceRow } from '@teacache/core';
import { calibrateMagRatios, magRatiosFromTrace, meanRatioSeries, resampleMagRatios } from './mag-ratios.js';

function row(runId: string, step: number, branch: 'cond' | 'uncond', residual: number, computed: 0 | 1 = 1): TraceRow {
  const rel = step === 0 ? null : 0.1;
  return {
    runId, step, timestep: 1000 - step, branch, computed,
    relL1: { noisy: rel, timestep: rel, modulated: rel, residual: rel, output: rel },
    meanAbs: { noisy: 1, timestep: 1, modulated: 1, residual, output: 1 },
  };
}

describe('magnitude ratios', () => {
  test('calibration divides consecutive magnitudes and averages over runs', () => {
    // run 1: 2 → 1 → 0.5 gives [1, 0.5, 0.5]; run 2: 4 → 4 → 1 gives [1, 1, 0.25]; mean [1, 0.75, 0.375]
    expect(calibrateMagRatios([[2, 1, 0.5], [4, 4, 1]])).toEqual([1, 0.75, 0.375]);
  });

  test('ratio series of different lengths, a zero magnitude or a bad ratio are refused', () => {
    expect(() => meanRatioSeries([[1, 0.9], [1]])).toThrow('field "series[1]": expected 2 steps (as the first series), found 1');
    expect(() => calibrateMagRatios([[1, 0, 2]])).toThrow('field "magnitudes[0][1]": expected a magnitude > 0 (it divides the next one), found 0');
    expect(() => meanRatioSeries([[1, -1]])).toThrow('field "series[0][1]"');
    expect(() => meanRatioSeries([])).toThrow('at least one ratio series');
  });

  test('calibration from a trace keeps the branches apart', () => {
    const rows = [
      row('a', 0, 'cond', 2), row('a', 0, 'uncond', 1), row('a', 1, 'cond', 1), row('a', 1, 'uncond', 1.5),
      row('b', 0, 'cond', 4), row('b', 1, 'cond', 4), row('b', 0, 'uncond', 2), row('b', 1, 'uncond', 1),
    ];
    // cond: 2→1 (0.5), 4→4 (1) → 0.75; uncond: 1→1.5 (1.5), 2→1 (0.5) → 1
    expect(magRatiosFromTrace(rows)).toEqual({ cond: [1, 0.75], uncond: [1, 1] });
    expect(magRatiosFromTrace(rows.filter((r) => r.branch === 'cond'))).toEqual({ cond: [1, 0.75] });
  });

  test('calibration refuses a cached trace and steps out of order', () => {
    expect(() => magRatiosFromTrace([row('a', 0, 'cond', 1), row('a', 1, 'cond', 1, 0)], 't.csv'))
      .toThrow('t.csv, row 2, field "computed": expected 1 (calibrate from fully computed runs only), found 0');
    expect(() => magRatiosFromTrace([row('a', 1, 'cond', 1)], 't.csv')).toThrow('t.csv, row 1, field "step": expected step 0, found 1');
  });

  test('resampling picks the nearest index with numpy\'s half-to-even rounding', () => {
    // 5 → 9 steps: i·(4/8) = 0, .5, 1, 1.5, 2, 2.5, 3, 3.5, 4 → numpy.round → 0, 0, 1, 2, 2, 2, 3, 4, 4
    expect(resampleMagRatios([10, 11, 12, 13, 14], 9)).toEqual([10, 10, 11, 12, 12, 12, 13, 14, 14]);
    // 9 → 5 steps: i·2 → 0, 2, 4, 6, 8
    expect(resampleMagRatios([0, 1, 2, 3, 4, 5, 6, 7, 8], 5)).toEqual([0, 2, 4, 6, 8]);
    expect(resampleMagRatios([1, 2, 3], 1)).toEqual([3]);
    expect(resampleMagRatios([1, 2, 3], 3)).toEqual([1, 2, 3]);
    expect(() => resampleMagRatios([1], 0)).toThrow(RangeError);
  });
});
