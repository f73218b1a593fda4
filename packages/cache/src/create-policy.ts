import type { CachePolicy } from './policy.js';
import { parsePolicySpec, type ParsePolicyOptions } from './parse-policy-spec.js';
import type { PolicySpec } from './policy-spec.js';
import { nonePolicy } from './policies/none.js';
import { teacachePolicy } from './policies/teacache.js';
import { intervalPolicy } from './policies/interval.js';
import { firstBlockPolicy } from './policies/first-block.js';
import { magcachePolicy } from './policies/magcache.js';
import { oraclePolicy } from './policies/oracle.js';

/**
 * The one entry point: build a policy from a spec (an object, JSON text or command-line text such
 * as `teacache:threshold=0.1`); the spec is validated and its files read first.
 */
export function createPolicy(spec: PolicySpec | string | object, options: ParsePolicyOptions = {}): CachePolicy {
  const s = parsePolicySpec(spec, options);
  switch (s.policy) {
    case 'none': return nonePolicy(s) as CachePolicy;
    case 'teacache': return teacachePolicy(s) as CachePolicy;
    case 'interval': return intervalPolicy(s) as CachePolicy;
    case 'first-block': return firstBlockPolicy(s) as CachePolicy;
    case 'magcache': return magcachePolicy(s) as CachePolicy;
    case 'oracle': return oraclePolicy(s) as CachePolicy;
  }
}
