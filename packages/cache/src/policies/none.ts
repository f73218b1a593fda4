import type { CachePolicy } from '../policy.js';
import type { NoneSpec } from '../policy-spec.js';

/** The `none` policy: every step computes (the uncached reference). */
export function nonePolicy(spec: NoneSpec): CachePolicy<null> {
  return {
    name: 'none', spec, needs: [],
    createState: () => null,
    decide: () => ({ compute: true, reason: 'always' }),
    observe: () => {},
  };
}
