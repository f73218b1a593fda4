import { FormatError } from '@teacache/core';
import { createPolicy } from '../create-policy.js';
import type { TeaCacheSpec } from '../policy-spec.js';
import { teacachePolicy } from './teacache.js';
import { PolicySession } from '../session.js';
import { contexts, runSeries } from '../test-support/run-series.js';
import { coefficientsFileOf } from '../test-support/coefficients-file.js';

// relL1 of the modulated input against the previous step, steps 0..7 (step 0 has no previous step)
const MODULATED = [null, 0.10, 0.15, 0.10, 0.05, 0.20, 0.40, 0.05];

describe('teacache', () => {
  test('decisions on a given indicator series equal the hand-worked sequence (identity rescaling)', () => {
    // threshold 0.3, acc starts at 0:
    // step 0: first step, forced compute, acc = 0                         → C
    // step 1: acc = 0 + 0.10 = 0.10 < 0.3                                 → R
    // step 2: acc = 0.10 + 0.15 = 0.25 < 0.3                              → R
    // step 3: acc = 0.25 + 0.10 = 0.35 >= 0.3 → compute, acc reset to 0  → C
    // step 4: acc = 0 + 0.05 = 0.05                                       → R
    // step 5: acc = 0.05 + 0.20 = 0.25                                    → R
    // step 6: acc = 0.25 + 0.40 = 0.65 >= 0.3 → compute, reset            → C
    // step 7: last step, forced compute                                   → C
    const { decisions, schedule } = runSeries(createPolicy({ policy: 'teacache', threshold: 0.3 }), 8, { modulated: MODULATED });
    expect(schedule).toBe('CRRCRRCC');
    expect(decisions.map((d) => d.reason)).toEqual([
      'first-step', 'under-threshold', 'under-threshold', 'over-threshold', 'under-threshold', 'under-threshold', 'over-threshold', 'last-step',
    ]);
    const acc = decisions.map((d) => d.accumulated ?? null);
    [null, 0.10, 0.25, 0.35, 0.05, 0.25, 0.65, null].forEach((v, i) => {
      if (v === null) expect(acc[i]).toBeNull();
      else expect(acc[i]).toBeCloseTo(v, 12);
    });
  });

  test('the rescaled distance of the current step is added before comparing', () => {
    // poly(x) = x^2 + x (highest first [1, 1, 0]); threshold 0.28
    // step 1: poly(0.10) = 0.01 + 0.10 = 0.11;  acc 0.11                  → R
    // step 2: poly(0.15) = 0.0225 + 0.15 = 0.1725; acc 0.2825 >= 0.28     → C, reset
    // step 3: poly(0.10) = 0.11; acc 0.11                                 → R
    // step 4: poly(0.05) = 0.0025 + 0.05 = 0.0525; acc 0.1625             → R
    // step 5: poly(0.20) = 0.04 + 0.20 = 0.24; acc 0.4025                 → C, reset
    // step 6: poly(0.40) = 0.16 + 0.40 = 0.56; acc 0.56                   → C, reset
    // step 7: last                                                        → C
    // (with the identity the same threshold gives CRRCRRCC: step 2 would be 0.25 < 0.28)
    const policy = createPolicy({ policy: 'teacache', threshold: 0.28, coefficients: { highestFirst: [1, 1, 0] } });
    const { decisions, schedule } = runSeries(policy, 8, { modulated: MODULATED });
    expect(schedule).toBe('CRCRRCCC');
    expect(decisions[2].accumulated).toBeCloseTo(0.2825, 12);
    expect(decisions[5].accumulated).toBeCloseTo(0.4025, 12);
    expect(runSeries(createPolicy({ policy: 'teacache', threshold: 0.28 }), 8, { modulated: MODULATED }).schedule).toBe('CRRCRRCC');
  });

  test('a full coefficients file is accepted as the rescaling polynomial', () => {
    const file = coefficientsFileOf([1, 1, 0], { xRange: [0, 1] });
    const policy = createPolicy({ policy: 'teacache', threshold: 0.28, coefficients: file });
    expect(runSeries(policy, 8, { modulated: MODULATED }).schedule).toBe('CRCRRCCC');
  });

  test('threshold 0 computes every step', () => {
    expect(runSeries(createPolicy({ policy: 'teacache', threshold: 0 }), 8, { modulated: MODULATED }).schedule).toBe('CCCCCCCC');
  });

  test('a huge threshold computes only the forced first and last steps', () => {
    expect(runSeries(createPolicy({ policy: 'teacache', threshold: 1e9 }), 8, { modulated: MODULATED }).schedule).toBe('CRRRRRRC');
  });

  test('retention steps at the start and cut-off steps at the end always compute', () => {
    // retention 3: steps 0-2 forced; cut-off 2: steps 6-7 forced; threshold 0.3 decides 3..5 from acc 0:
    // step 3: 0.10 → R; step 4: 0.15 → R; step 5: 0.35 → C
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3, retentionSteps: 3, cutoffSteps: 2 });
    const { decisions, schedule } = runSeries(policy, 8, { modulated: MODULATED });
    expect(schedule).toBe('CCCRRCCC');
    expect(decisions.map((d) => d.reason)).toEqual([
      'first-step', 'retention', 'retention', 'under-threshold', 'under-threshold', 'over-threshold', 'cutoff', 'last-step',
    ]);
  });

  test('cut-off 0 leaves the last step to the rule, as Wan2.1 with use_ret_steps does', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 1e9, retentionSteps: 5, cutoffSteps: 0 });
    expect(runSeries(policy, 8, { modulated: MODULATED }).schedule).toBe('CCCCCRRR');
  });

  test('the chosen indicator is the one read', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3, indicator: 'timestep' });
    // timestep series all 0.2: acc 0.2 R, 0.4 C, 0.2 R, 0.4 C, 0.2 R, 0.4 C, last C
    const run = runSeries(policy, 8, { modulated: [null, 9, 9, 9, 9, 9, 9, 9], timestep: [null, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2] });
    expect(run.schedule).toBe('CRCRCRCC');
  });

  test('each guidance branch keeps its own accumulator', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3 });
    const uncondSeries = [null, 0.4, 0.01, 0.01, 0.01, 0.01, 0.4, 0.01];
    const cond = contexts(8, { modulated: MODULATED }, 'cond');
    const uncond = contexts(8, { modulated: uncondSeries }, 'uncond');
    const session = new PolicySession(policy);
    const schedules = { cond: '', uncond: '' };
    for (let i = 0; i < 8; i++) {
      // interleaved as a guided loop calls it: cond then uncond at every step
      schedules.cond += session.decide(cond[i]).compute ? 'C' : 'R';
      schedules.uncond += session.decide(uncond[i]).compute ? 'C' : 'R';
    }
    expect(schedules.cond).toBe(runSeries(policy, 8, { modulated: MODULATED }).schedule);
    // uncond by hand: 0.4 → C; 0.01..0.04 → R R R R; 0.44 → C; last C
    expect(schedules.uncond).toBe('CCRRRRCC');
  });

  test('an infinite distance (indicator was all zeros) computes whatever the polynomial', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3, coefficients: { highestFirst: [-1, 0] } });
    expect(runSeries(policy, 4, { modulated: [null, Infinity, 0.01, 0.01] }).schedule).toBe('CCRC');
  });

  test('a missing indicator at a step after the first is an error naming the field and the step', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3 });
    const call = () => runSeries(policy, 4, { modulated: [null, 0.1, null, 0.1] });
    expect(call).toThrow(FormatError);
    expect(call).toThrow(/field "indicators.modulated": expected a relative L1 >= 0 at step 2 \(cond\), which teacache needs, found null/);
    expect(() => runSeries(policy, 3, { modulated: [null, -0.1, 0.1] })).toThrow(/found -0.1/);
  });

  test('observe() after an overridden reuse resets the accumulator', () => {
    const policy = createPolicy({ policy: 'teacache', threshold: 0.3 });
    const session = new PolicySession(policy);
    const ctx = contexts(8, { modulated: MODULATED });
    session.decide(ctx[0]);
    expect(session.decide(ctx[1]).compute).toBe(false); // acc 0.10
    session.observe(ctx[1], true); // the loop computed anyway → acc 0
    expect(session.decide(ctx[2]).accumulated).toBeCloseTo(0.15, 12);
    expect(session.decide(ctx[3]).compute).toBe(false); // 0.25 < 0.3 (without the reset it would be 0.35)
  });
});

describe('teacache with a coefficients file fitted on a range of the indicator', () => {
  const file = coefficientsFileOf([1, 0], { model: 'm', xRange: [0.08, 0.25] });
  const specOf = () => createPolicy({ policy: 'teacache', threshold: 0.3, coefficients: file }).spec as TeaCacheSpec;

  test('warns once when the indicator goes above the range, once below, and never inside it', () => {
    const messages: string[] = [];
    // MODULATED leaves [0.08, 0.25] above at steps 6 (0.40) and below at steps 4 and 7 (0.05).
    runSeries(teacachePolicy(specOf(), (m) => messages.push(m)), 8, { modulated: MODULATED });
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.includes('above'))).toContain('x = 0.4 is above the fitted range [0.08, 0.25]');
    expect(messages.find((m) => m.includes('below'))).toContain('x = 0.05 is below');
  });

  test('says nothing while the indicator stays inside the fitted range', () => {
    const messages: string[] = [];
    runSeries(teacachePolicy(specOf(), (m) => messages.push(m)), 4, { modulated: [null, 0.1, 0.15, 0.2] });
    expect(messages).toEqual([]);
  });
});
