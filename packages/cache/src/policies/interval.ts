import type { CachePolicy } from '../policy.js';
import type { IntervalSpec } from '../policy-spec.js';

/**
 * Fixed interval (FORA / Δ-DiT style reuse, no signal): step i computes when i mod k = 0, and the
 * last step always computes; every other step reuses the residual of the last computed step.
 * k = 1 computes every step; k = 3 over 8 steps gives CRRCRRCC.
 */
export function intervalPolicy(spec: IntervalSpec): CachePolicy<null> {
  return {
    name: 'interval', spec, needs: [],
    createState: () => null,
    decide: (_state, ctx) => {
      if (ctx.step === 0) return { compute: true, reason: 'first-step' };
      if (ctx.step === ctx.totalSteps - 1) return { compute: true, reason: 'last-step' };
      return ctx.step % spec.interval === 0 ? { compute: true, reason: 'on-interval' } : { compute: false, reason: 'off-interval' };
    },
    observe: () => {},
  };
}
