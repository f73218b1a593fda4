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
});
