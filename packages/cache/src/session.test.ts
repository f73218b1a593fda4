import { createPolicy } from './create-policy.js';
import { PolicySession } from './session.js';
import { contexts } from './test-support/run-series.js';

describe('PolicySession', () => {
  const series = { modulated: [null, 0.1, 0.1, 0.1, 0.1] };

  test('steps must come in order for each branch', () => {
    const session = new PolicySession(createPolicy('teacache:threshold=0.3'));
    const ctx = contexts(5, series);
    session.decide(ctx[0]);
    expect(() => session.decide(ctx[2])).toThrow('field "step": expected step 1 of 5 for branch cond, found "step 2 of 5"');
    expect(() => new PolicySession(createPolicy('none')).decide(ctx[1])).toThrow(/expected step 0 \(a run starts at step 0\)/);
  });

  test('step 0 starts a fresh state: a second run repeats the first one\'s schedule', () => {
    const session = new PolicySession(createPolicy('teacache:threshold=0.25'));
    const run = () => contexts(5, series).map((c) => (session.decide(c).compute ? 'C' : 'R')).join('');
    // 0.1 R, 0.2 R, 0.3 C, last C
    expect(run()).toBe('CRRCC');
    expect(run()).toBe('CRRCC');
  });

  test('a step outside the run or a changed run length is refused', () => {
    const session = new PolicySession(createPolicy('none'));
    const ctx = contexts(5, series);
    expect(() => session.decide({ ...ctx[0], step: 5 })).toThrow('field "step": expected a whole number in [0, 4], found 5');
    expect(() => session.decide({ ...ctx[0], totalSteps: 0 })).toThrow('field "totalSteps"');
    session.decide(ctx[0]);
    expect(() => session.decide({ ...ctx[1], totalSteps: 6 })).toThrow(/expected step 1 of 5/);
  });

  test('observe() is only accepted for the step just decided', () => {
    const session = new PolicySession(createPolicy('none'));
    const ctx = contexts(5, series);
    session.decide(ctx[0]);
    expect(() => session.observe(ctx[1], true)).toThrow(/the step just decided/);
  });

  test('a reuse asked for with nothing cached computes instead, and the policy counts it as computed', () => {
    // threshold 0.25 on 0.1 per step: without the override R R C; the forced compute at step 1 resets
    // the accumulator, so step 2 starts again from 0.1 (R) and step 3 reaches 0.2 (R)
    const session = new PolicySession(createPolicy('teacache:threshold=0.25,cutoff=0'));
    const ctx = contexts(5, series);
    expect(session.decide(ctx[0], false)).toEqual({ compute: true, reason: 'first-step' });
    expect(session.decide(ctx[1], false)).toEqual({ compute: true, reason: 'nothing-cached' });
    expect(session.decide(ctx[2]).compute).toBe(false);
    expect(session.decide(ctx[3]).compute).toBe(false);
    expect(session.decide(ctx[4])).toMatchObject({ compute: true, reason: 'over-threshold' });
  });
});

describe('the signals each policy declares', () => {
  test('teacache reads only its configured indicator; first-block the first block; oracle the true output; the rest nothing', () => {
    expect(createPolicy('teacache:threshold=0.1').needs).toEqual(['modulated']);
    expect(createPolicy('teacache:threshold=0.1,indicator=noisy').needs).toEqual(['noisy']);
    expect(createPolicy('teacache:threshold=0.1,indicator=timestep').needs).toEqual(['timestep']);
    expect(createPolicy('first-block:threshold=0.1').needs).toEqual(['firstBlock']);
    expect(createPolicy('oracle:threshold=0.1').needs).toEqual(['trueOutput']);
    expect(createPolicy('interval:k=2').needs).toEqual([]);
    expect(createPolicy('none').needs).toEqual([]);
    expect(createPolicy({ policy: 'magcache', threshold: 0.1, magRatios: [1, 1, 1] }).needs).toEqual([]);
  });

  test('a policy given only the signals it declares decides as when given all of them', () => {
    const all = { modulated: [null, 0.1, 0.2, 0.05, 0.3], timestep: [null, 9, 9, 9, 9], noisy: [null, 9, 9, 9, 9] };
    for (const indicator of ['modulated', 'timestep', 'noisy'] as const) {
      const policy = createPolicy({ policy: 'teacache', threshold: 0.25, indicator });
      const only = { [indicator]: all.modulated };
      const full = { ...all, modulated: all.noisy, [indicator]: all.modulated };
      const run = (series: object) => { const s = new PolicySession(policy); return contexts(5, series).map((c) => (s.decide(c).compute ? 'C' : 'R')).join(''); };
      // 0.1 R, 0.3 C, 0.05 R, last C
      expect(run(only)).toBe('CRCRC');
      expect(run(full)).toBe('CRCRC');
    }
  });
});
