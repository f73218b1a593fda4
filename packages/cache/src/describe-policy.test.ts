import { sweepRowKey } from '@teacache/core';
import { describePolicy } from './describe-policy.js';
import { parsePolicySpec } from './parse-policy-spec.js';

describe('describePolicy', () => {
  test('gives flat params and the main knob of each policy', () => {
    expect(describePolicy(parsePolicySpec('none'))).toEqual({ policy: 'none', params: {}, threshold: null });
    expect(describePolicy(parsePolicySpec('interval:k=4'))).toEqual({ policy: 'interval', params: { interval: 4 }, threshold: 4 });
    expect(describePolicy(parsePolicySpec('teacache:threshold=0.1'))).toEqual({
      policy: 'teacache', threshold: 0.1,
      params: { threshold: 0.1, indicator: 'modulated', coefficients: 'identity', retentionSteps: 1, cutoffSteps: 1 },
    });
    expect(describePolicy(parsePolicySpec('teacache:threshold=0.1,poly=2;0')).params.coefficients).toBe('2 0');
  });

  test('different magnitude ratios give different params, so sweep keys differ', () => {
    const a = describePolicy(parsePolicySpec({ policy: 'magcache', threshold: 0.1, magRatios: [1, 0.9] }));
    const b = describePolicy(parsePolicySpec({ policy: 'magcache', threshold: 0.1, magRatios: [1, 0.8] }));
    expect(a.params.magRatiosHash).toMatch(/^sha256:[0-9a-f]{12}$/);
    const key = (d: typeof a) => sweepRowKey({ model: 'm', policy: d.policy, params: d.params, prompt: 'p', seed: 1, steps: 2 });
    expect(key(a)).not.toBe(key(b));
  });

  test('coefficients read from a file carry a hash of their numbers', () => {
    const spec = parsePolicySpec({ policy: 'teacache', threshold: 0.1, coefficientsFile: 'fit.json', coefficients: { highestFirst: [1, 0] } });
    expect(describePolicy(spec).params).toMatchObject({ coefficients: 'fit.json', coefficientsHash: expect.stringMatching(/^sha256:/) });
  });
});
