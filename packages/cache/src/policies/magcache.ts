import type { Branch } from '@teacache/core';
import type { CachePolicy, Decision } from '../policy.js';
import type { MagCacheSpec } from '../policy-spec.js';
import { ratiosForBranch, resampleMagRatios } from '../mag-ratios.js';

/** MagCache's accumulators since the last computed step of one run and branch. */
export interface MagCacheState {
  /** Product of the magnitude ratios since the last computed step. */
  ratio: number;
  /** Sum over those steps of |1 - ratio|: the estimated error of reusing. */
  error: number;
  /** Consecutive reuses so far, counting the step being decided. */
  skips: number;
}

function reset(state: MagCacheState): void {
  state.ratio = 1;
  state.error = 0;
  state.skips = 0;
}

/**
 * MagCache (Zehong-Ma/MagCache): the residual's magnitude ratio between consecutive steps is nearly
 * the same for every prompt, so it is calibrated once per model. At a step after the retained start,
 * multiply the step's ratio into the running product, add |1 - product| to the error estimate, and
 * reuse while the error is under the threshold and at most K reuses in a row; otherwise compute and
 * reset. The first floor(retentionRatio·steps) steps, and always step 0, compute.
 */
export function magcachePolicy(spec: MagCacheSpec): CachePolicy<MagCacheState> {
  const resampled = new Map<string, readonly number[]>();
  const ratiosFor = (branch: Branch, steps: number) => {
    const key = `${branch}:${steps}`;
    let r = resampled.get(key);
    if (!r) {
      r = resampleMagRatios(ratiosForBranch(spec.magRatios, branch), steps);
      resampled.set(key, r);
    }
    return r;
  };
  return {
    // The magnitude ratios were calibrated from traces beforehand: at run time no signal is read.
    name: 'magcache', spec, needs: [],
    createState: () => ({ ratio: 1, error: 0, skips: 0 }),
    decide: (state, ctx): Decision => {
      if (ctx.step === 0 || ctx.step < Math.floor(spec.retentionRatio * ctx.totalSteps)) {
        reset(state);
        return { compute: true, reason: ctx.step === 0 ? 'first-step' : 'retention' };
      }
      state.ratio *= ratiosFor(ctx.branch, ctx.totalSteps)[ctx.step];
      state.skips += 1;
      state.error += Math.abs(1 - state.ratio);
      const accumulated = state.error;
      if (accumulated < spec.threshold && state.skips <= spec.maxSkipSteps) {
        return { compute: false, reason: 'under-threshold', accumulated };
      }
      const reason = accumulated < spec.threshold ? 'skip-cap' : 'over-threshold';
      reset(state);
      return { compute: true, reason, accumulated };
    },
    observe: (state, _ctx, computed) => {
      if (computed) reset(state);
    },
  };
}
