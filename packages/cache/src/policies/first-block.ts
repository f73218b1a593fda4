import type { CachePolicy } from '../policy.js';
import type { FirstBlockSpec } from '../policy-spec.js';
import { requireDistance } from '../signals.js';

/**
 * First Block Cache (ParaAttention, diffusers' FirstBlockCacheConfig): the first block always runs;
 * if its residual differs from the first-block residual of the last fully computed step by a
 * relative L1 under the threshold, the rest of the stack reuses its cached residual. The reference
 * moves only when the stack runs (both published implementations store it on compute), so slow
 * drift accumulates against it. Step 0 computes (nothing cached); the last step is not forced.
 */
export function firstBlockPolicy(spec: FirstBlockSpec): CachePolicy<null> {
  return {
    name: 'first-block', spec, needs: ['firstBlock'],
    createState: () => null,
    decide: (_state, ctx) => {
      if (ctx.step === 0) return { compute: true, reason: 'first-step' };
      const d = requireDistance(ctx.firstBlockResidual, 'firstBlockResidual', ctx, 'first-block');
      return d < spec.threshold
        ? { compute: false, reason: 'under-threshold', accumulated: d }
        : { compute: true, reason: 'over-threshold', accumulated: d };
    },
    observe: () => {},
  };
}
