import { createPolicy } from '../create-policy.js';
import { PolicySession } from '../session.js';
import { contexts, runSeries } from '../test-support/run-series.js';

// per-step magnitude ratios |r_t| / |r_{t-1}| (index 0 unused)
const RATIOS = [1, 1.0, 0.98, 0.95, 0.97, 1.02, 0.9, 1.0, 1.0, 1.0];

describe('magcache', () => {
  test('decisions equal the hand-worked sequence (retention, error accumulation, skip cap)', () => {
    // 10 steps, retention 0.2 → floor(2) = 2 steps forced (0, 1); threshold 0.06; K = 2
    // step 2: ratio 0.98, err |1-0.98| = 0.02, skips 1                 → R
    // step 3: ratio 0.98·0.95 = 0.931, err 0.02 + 0.069 = 0.089 ≥ 0.06  → C, reset
    // step 4: ratio 0.97, err 0.03, skips 1                             → R
    // step 5: ratio 0.97·1.02 = 0.9894, err 0.03 + 0.0106 = 0.0406      → R (skips 2)
    // step 6: ratio 0.9894·0.9 = 0.89046, err 0.0406 + 0.10954 = 0.15014 → C, reset
    // step 7: ratio 1, err 0, skips 1                                   → R
    // step 8: err 0, skips 2                                            → R
    // step 9: err 0, skips 3 > K                                        → C (skip cap)
    const policy = createPolicy({ policy: 'magcache', threshold: 0.06, magRatios: RATIOS, maxSkipSteps: 2, retentionRatio: 0.2 });
    const { decisions, schedule } = runSeries(policy, 10);
    expect(schedule).toBe('CCRCRRCRRC');
    expect(decisions.map((d) => d.reason)).toEqual([
      'first-step', 'retention', 'under-threshold', 'over-threshold', 'under-threshold', 'under-threshold',
      'over-threshold', 'under-threshold', 'under-threshold', 'skip-cap',
    ]);
    expect(decisions[3].accumulated).toBeCloseTo(0.089, 12);
    expect(decisions[5].accumulated).toBeCloseTo(0.0406, 12);
    expect(decisions[6].accumulated).toBeCloseTo(0.15014, 12);
  });

  test('a reuse the loop overrode (observed as computed) restarts product, error and count', () => {
    // step 2 (ratio 0.98) reuses but is overridden: reset. Step 3: ratio 0.95, error 0.05 < 0.06 → R
    // (without the reset 0.98·0.95 = 0.931, error 0.089 → C). Step 4: 0.95·0.97 = 0.9215, error 0.1285 → C.
    const session = new PolicySession(createPolicy({ policy: 'magcache', threshold: 0.06, magRatios: RATIOS, maxSkipSteps: 2, retentionRatio: 0.2 }));
    const ctx = contexts(10, {});
    session.decide(ctx[0]);
    session.decide(ctx[1]);
    expect(session.decide(ctx[2], false)).toEqual({ compute: true, reason: 'nothing-cached' });
    expect(session.decide(ctx[3])).toMatchObject({ compute: false, accumulated: expect.closeTo(0.05, 12) });
    expect(session.decide(ctx[4])).toMatchObject({ compute: true, accumulated: expect.closeTo(0.1285, 12) });
  });

  test('threshold 0 computes every step', () => {
    expect(runSeries(createPolicy({ policy: 'magcache', threshold: 0, magRatios: RATIOS }), 10).schedule).toBe('CCCCCCCCCC');
  });

  test('a huge threshold reuses up to K times in a row after the retained steps', () => {
    // retention floor(0.2·10) = 2; then K = 2 reuses, one compute, ...; no forced last step (as published)
    expect(runSeries(createPolicy({ policy: 'magcache', threshold: 1e9, magRatios: RATIOS, maxSkipSteps: 2 }), 10).schedule)
      .toBe('CCRRCRRCRR');
    expect(runSeries(createPolicy({ policy: 'magcache', threshold: 1e9, magRatios: RATIOS, maxSkipSteps: 100, retentionRatio: 0 }), 10).schedule)
      .toBe('CRRRRRRRRR');
  });

  test('the defaults are MagCache4Wan2.1\'s: K = 2, retention ratio 0.2', () => {
    const policy = createPolicy({ policy: 'magcache', threshold: 0.12, magRatios: RATIOS });
    expect(policy.spec).toMatchObject({ maxSkipSteps: 2, retentionRatio: 0.2 });
  });

  test('ratios calibrated for another step count are resampled by nearest index', () => {
    // 5 ratios for 9 steps: index round_half_even(i·4/8) = [0,0,1,2,2,2,3,4,4] (numpy.round)
    // ratios [1, 1, 0.5, 1, 1] → per step [1,1,1,0.5,0.5,0.5,1,1,1]; retention 0, threshold 0.6, K 10:
    // step1 ratio 1 err 0 R; step2 err 0 R; step3 ratio .5 err .5 R; step4 ratio .25 err 1.25 C;
    // step5 ratio .5 err .5 R; step6 ratio .5 err 1.0 C; step7 1 err 0 R; step8 err 0 R
    const policy = createPolicy({ policy: 'magcache', threshold: 0.6, magRatios: [1, 1, 0.5, 1, 1], maxSkipSteps: 10, retentionRatio: 0 });
    expect(runSeries(policy, 9).schedule).toBe('CRRRCRCRR');
  });

  test('per-branch ratios give each branch its own schedule', () => {
    const policy = createPolicy({
      policy: 'magcache', threshold: 0.05, retentionRatio: 0, maxSkipSteps: 5,
      magRatios: { cond: [1, 1, 1, 1, 1], uncond: [1, 0.9, 1, 1, 1] },
    });
    const session = new PolicySession(policy);
    const run = (branch: 'cond' | 'uncond') => contexts(5, {}, branch).map((c) => (session.decide(c).compute ? 'C' : 'R')).join('');
    expect(run('cond')).toBe('CRRRR');
    // uncond: step 1 ratio 0.9 → err 0.1 ≥ 0.05 → C; then ratio 1 → R R R
    expect(run('uncond')).toBe('CCRRR');
  });
});
