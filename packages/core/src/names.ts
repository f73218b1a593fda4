import type { Signal } from './trace-format-columns.js';

/**
 * Every indicator a coefficients file can map from, in the order tables list them: the signals a policy reads
 * before deciding, plus the residual (known only once a step has computed, so fitted for analysis only).
 */
export const INDICATORS = ['modulated', 'timestep', 'noisy', 'residual'] as const satisfies readonly Signal[];
export type Indicator = (typeof INDICATORS)[number];

/** The indicators a policy can read at a step before deciding whether to compute it: every indicator but the residual. */
export type CheapIndicator = Exclude<Indicator, 'residual'>;
export const CHEAP_INDICATORS: readonly CheapIndicator[] = INDICATORS.filter((i): i is CheapIndicator => i !== 'residual');

/** What a rescaling polynomial can estimate. */
export const FIT_TARGETS = ['output', 'residual'] as const satisfies readonly Signal[];
export type FitTarget = (typeof FIT_TARGETS)[number];

/** Every cache policy, in the order help texts, tables and legends list them; `none` is the uncached reference. */
export const POLICY_NAMES = ['none', 'teacache', 'interval', 'first-block', 'magcache', 'oracle'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** The policy that always computes: every sweep runs it as the reference the cached runs are measured against. */
export const REFERENCE_POLICY = 'none' satisfies PolicyName;

/** The policies that may reuse a step (every policy but the reference), the ones a sweep compares by default. */
export type CachedPolicyName = Exclude<PolicyName, typeof REFERENCE_POLICY>;
export const CACHED_POLICY_NAMES: readonly CachedPolicyName[] = POLICY_NAMES.filter((p): p is CachedPolicyName => p !== REFERENCE_POLICY);

/** Whether a string is one of the policy names. */
export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** A policy's place in POLICY_NAMES (0-based), for sorting; names not in the list sort after every known one. */
export function policyRank(name: string): number {
  const i = (POLICY_NAMES as readonly string[]).indexOf(name);
  return i === -1 ? POLICY_NAMES.length : i;
}
