import {
  CACHED_POLICY_NAMES, CHEAP_INDICATORS, FIT_TARGETS, INDICATORS, isPolicyName, POLICY_NAMES, policyRank, REFERENCE_POLICY,
} from './names.js';
import { SIGNALS } from './trace-format-columns.js';

describe('the one list of indicator names', () => {
  test('indicators and targets are trace signals, each listed once', () => {
    for (const name of [...INDICATORS, ...FIT_TARGETS]) expect(SIGNALS).toContain(name);
    expect(new Set(INDICATORS).size).toBe(INDICATORS.length);
  });

  test('the cheap indicators a policy reads are every indicator but the residual, in the same order', () => {
    expect(CHEAP_INDICATORS).toEqual(['modulated', 'timestep', 'noisy']);
    expect(INDICATORS).toEqual([...CHEAP_INDICATORS, 'residual']);
  });
});

describe('the one list of policy names', () => {
  test('the cached policies are every policy but the uncached reference', () => {
    expect(REFERENCE_POLICY).toBe('none');
    expect(POLICY_NAMES).toEqual([REFERENCE_POLICY, ...CACHED_POLICY_NAMES]);
  });

  test('isPolicyName accepts exactly the listed names (case and spelling matter)', () => {
    for (const p of POLICY_NAMES) expect(isPolicyName(p)).toBe(true);
    for (const p of ['TeaCache', 'first_block', '', 'fbcache']) expect(isPolicyName(p)).toBe(false);
  });

  test('policyRank sorts in list order with unknown names last', () => {
    expect(['oracle', 'zzz', 'none', 'magcache'].sort((a, b) => policyRank(a) - policyRank(b))).toEqual(['none', 'magcache', 'oracle', 'zzz']);
  });
});
