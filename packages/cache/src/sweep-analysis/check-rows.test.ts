import { checkSweepRows } from './check-rows.js';
import { handSweepRow } from '../test-support/sweep-row.js';

const reference = handSweepRow({ policy: 'none' });
const cached = handSweepRow({ policy: 'teacache', schedule: 'CRRC' });

describe('checkSweepRows', () => {
  test('accepts cached runs, with or without rows of the always-compute policy', () => {
    expect(checkSweepRows([cached])).toHaveLength(1);
    expect(checkSweepRows([reference, cached])).toHaveLength(2);
  });

  test('no rows is an error, not an empty chart', () => {
    expect(() => checkSweepRows([])).toThrow(/expected at least one sweep row/);
  });

  test('a cached run without a timed reference run is a mismatch naming model, prompt and seed', () => {
    expect(() => checkSweepRows([handSweepRow({ policy: 'teacache', referenceWallSeconds: 0 })]))
      .toThrow(/row 1, field "referenceWallSeconds": expected the wall time \(s, > 0\) of the reference run: the uncached run of model "m", prompt "p", seed 0, found 0/);
    expect(() => checkSweepRows([cached, handSweepRow({ policy: 'oracle', referenceWallSeconds: NaN })])).toThrow(/row 2, field "referenceWallSeconds"/);
  });

  test('an unknown policy names the known ones', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacahce' })]))
      .toThrow(/row 2, field "policy": expected one of none, teacache, interval, first-block, magcache, oracle, found "teacahce"/);
  });

  test('NaN quality or speed, and a threshold missing on a cached policy, are errors', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', psnr: NaN })])).toThrow(/field "psnr".*found NaN/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', ssim: NaN })])).toThrow(/field "ssim".*found NaN/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', wallSpeedup: NaN })])).toThrow(/field "wallSpeedup"/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'interval', threshold: null })])).toThrow(/field "threshold": expected a finite number for policy "interval"/);
  });

  test('an infinite PSNR (identical output) is allowed', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', psnr: Infinity })])).not.toThrow();
  });

  test('a schedule of the wrong length or with other letters is an error', () => {
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', schedule: 'CRC', steps: 4 })])).toThrow(/field "schedule": expected 4 letters C/);
    expect(() => checkSweepRows([reference, handSweepRow({ policy: 'teacache', schedule: 'CXXC' })])).toThrow(/field "schedule"/);
  });

  test('runs of one model with different step counts are a mismatch', () => {
    const longer = handSweepRow({ policy: 'none', seed: 1, schedule: 'CCCCC' });
    expect(() => checkSweepRows([reference, longer])).toThrow(/row 2, field "steps": expected 4 steps, as the first run of model "m" \(row 1\), found 5/);
  });
});
