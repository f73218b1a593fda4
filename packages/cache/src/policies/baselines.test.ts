import { createPolicy } from '../create-policy.js';
import { PolicySession } from '../session.js';
import { contexts, runSeries } from '../test-support/run-series.js';

describe('none', () => {
  test('computes every step', () => {
    const { decisions, schedule } = runSeries(createPolicy('none'), 5);
    expect(schedule).toBe('CCCCC');
    expect(decisions.every((d) => d.reason === 'always')).toBe(true);
  });
});

describe('interval', () => {
  test('k = 1 computes every step', () => {
    expect(runSeries(createPolicy({ policy: 'interval', interval: 1 }), 8).schedule).toBe('CCCCCCCC');
  });

  test('k = 3 computes steps 0, 3, 6 and the last step', () => {
    // 8 steps: 0 mod 3 = 0 C, 1 R, 2 R, 3 C, 4 R, 5 R, 6 C, 7 last C
    const { decisions, schedule } = runSeries(createPolicy({ policy: 'interval', interval: 3 }), 8);
    expect(schedule).toBe('CRRCRRCC');
    expect(decisions.map((d) => d.reason)).toEqual([
      'first-step', 'off-interval', 'off-interval', 'on-interval', 'off-interval', 'off-interval', 'on-interval', 'last-step',
    ]);
  });

  test('k = 2 over 7 steps lands the last step on the interval', () => {
    expect(runSeries(createPolicy('interval:k=2'), 7).schedule).toBe('CRCRCRC');
  });

  test('k larger than the run computes only the first and last steps', () => {
    expect(runSeries(createPolicy({ policy: 'interval', interval: 50 }), 6).schedule).toBe('CRRRRC');
  });
});

describe('first-block', () => {
  // relL1 of the first block's residual against the last fully computed step's
  const FB = [null, 0.02, 0.04, 0.10, 0.01, 0.05];

  test('reuses while the first-block change is under the threshold; the last step is not forced', () => {
    // threshold 0.05: 0.02 R, 0.04 R, 0.10 C, 0.01 R, 0.05 (not < 0.05) C
    const { decisions, schedule } = runSeries(createPolicy({ policy: 'first-block', threshold: 0.05 }), 6, { firstBlockResidual: FB });
    expect(schedule).toBe('CRRCRC');
    expect(decisions[3]).toEqual({ compute: true, reason: 'over-threshold', accumulated: 0.10 });
    expect(runSeries(createPolicy({ policy: 'first-block', threshold: 1 }), 6, { firstBlockResidual: FB }).schedule).toBe('CRRRRR');
  });

  test('threshold 0 computes every step', () => {
    expect(runSeries(createPolicy({ policy: 'first-block', threshold: 0 }), 6, { firstBlockResidual: FB }).schedule).toBe('CCCCCC');
  });

  test('declares that it needs the first block residual, and refuses a step without it', () => {
    const policy = createPolicy({ policy: 'first-block', threshold: 0.05 });
    expect(policy.needs).toEqual(['firstBlock']);
    expect(() => runSeries(policy, 3, {})).toThrow(/field "firstBlockResidual": expected a relative L1 >= 0 at step 1/);
  });
});

describe('oracle', () => {
  test('runs the TeaCache rule on the true output change', () => {
    // true output relL1: 0.1 R (0.1), 0.1 R (0.2), 0.15 C (0.35), 0.05 R, last C; the indicators are ignored
    const policy = createPolicy({ policy: 'oracle', threshold: 0.3 });
    expect(policy.needs).toEqual(['trueOutput']);
    const run = runSeries(policy, 6, { trueOutput: [null, 0.1, 0.1, 0.15, 0.05, 0.5], modulated: [null, 9, 9, 9, 9, 9] });
    expect(run.schedule).toBe('CRRCRC');
  });

  test('a reuse the loop overrode (observed as computed) restarts the accumulation', () => {
    // 0.1 R but observed computed: reset; then 0.1 R (0.1), 0.15 R (0.25), 0.05 C (0.30), last C;
    // without the reset: 0.2 R, 0.35 C, 0.05 R, last C
    const policy = createPolicy({ policy: 'oracle', threshold: 0.3 });
    const session = new PolicySession(policy);
    const ctx = contexts(6, { trueOutput: [null, 0.1, 0.1, 0.15, 0.05, 0.5] });
    session.decide(ctx[0]);
    expect(session.decide(ctx[1], false)).toEqual({ compute: true, reason: 'nothing-cached' });
    expect(ctx.slice(2).map((c) => (session.decide(c).compute ? 'C' : 'R')).join('')).toBe('RRCC');
  });

  test('threshold 0 computes every step and a huge one only the first and last', () => {
    const out = { trueOutput: [null, 0.1, 0.1, 0.15, 0.05, 0.5] };
    expect(runSeries(createPolicy({ policy: 'oracle', threshold: 0 }), 6, out).schedule).toBe('CCCCCC');
    expect(runSeries(createPolicy({ policy: 'oracle', threshold: 1e9 }), 6, out).schedule).toBe('CRRRRC');
  });
});
