import type { SweepRow } from '@teacache/core';
import { bestSettingRule, summaryRows } from './best.js';
import { HAND_SWEEP as sweep, handSweepRow } from '../test-support/sweep-row.js';

const reference = handSweepRow({ policy: 'none' });
const run = (over: Partial<SweepRow> & Pick<SweepRow, 'policy'>) => handSweepRow(over);

describe('summaryRows', () => {
  test('picks the fastest threshold whose mean PSNR reaches the target, and the oracle\'s at the same target', () => {
    const [teacache, interval] = summaryRows(sweep, { targetPsnr: 30 });
    expect(teacache).toMatchObject({ model: 'm', variant: 'teacache', thresholdsTried: 3, oracleStepSpeedup: 2.2 });
    expect(teacache.best?.threshold).toBe(0.2);
    expect(teacache.best?.wallSpeedup).toBeCloseTo(2.0, 14);
    expect(interval.best).toBeNull();
  });

  test('a lower target moves the choice to a faster threshold', () => {
    const [teacache] = summaryRows(sweep, { targetPsnr: 27 });
    expect(teacache.best?.threshold).toBe(0.3);
    expect(teacache.oracleStepSpeedup).toBe(3.0);
  });

  test('without oracle runs the oracle column is undefined; with none reaching the target it is null', () => {
    expect(summaryRows(sweep.filter((r) => r.policy !== 'oracle'))[0].oracleStepSpeedup).toBeUndefined();
    expect(summaryRows(sweep, { targetPsnr: 40 })[0].oracleStepSpeedup).toBeNull();
  });

  test('equal step counts are decided by PSNR, then by the smaller threshold, never by wall time', () => {
    const tied = [reference,
      run({ policy: 'teacache', threshold: 0.2, wallSpeedup: 3.4, stepSpeedup: 4.4, psnr: 31.4 }),
      run({ policy: 'teacache', threshold: 0.22, wallSpeedup: 3.6, stepSpeedup: 4.4, psnr: 30.7 }),
      run({ policy: 'teacache', threshold: 0.25, wallSpeedup: 3.9, stepSpeedup: 4.4, psnr: 31.4 })];
    const [teacache] = summaryRows(tied, { targetPsnr: 30 });
    expect(teacache.best?.threshold).toBe(0.2);
    // The same rows in another order give the same choice.
    expect(summaryRows([tied[0], ...tied.slice(1).reverse()], { targetPsnr: 30 })[0].best?.threshold).toBe(0.2);
  });

  test('states what best means: the largest step speedup at the target under the named protocol, never wall time', () => {
    expect(bestSettingRule(30)).toMatch(/PSNR per 8-bit frame, averaged \(the TeaCache paper's protocol\).*30 dB.*largest mean step speedup.*Wall time never decides/);
    expect(bestSettingRule(28, 'pooled')).toMatch(/PSNR pooled over float frames.*28 dB/);
  });

  test('refuses a target that is not a finite number', () => {
    expect(() => summaryRows(sweep, { targetPsnr: NaN })).toThrow(/finite number of dB/);
  });
});
