import type { CachePolicy } from '../policy.js';
import type { TeaCacheSpec } from '../policy-spec.js';
import { rescaleFunction } from '../coefficients.js';
import { requireDistance } from '../signals.js';
import { teacacheStep, type AccumulatorState } from '../teacache-rule.js';

/**
 * TeaCache: accumulate poly(relL1 of the chosen indicator) from step to step; reuse the cached
 * residual while the sum is under the threshold. The indicator's relL1 is always against the
 * previous STEP (TeaCache remembers the indicator every step, computed or not).
 */
export function teacachePolicy(spec: TeaCacheSpec): CachePolicy<AccumulatorState> {
  const poly = rescaleFunction(spec.coefficients);
  // a change from an all-zero indicator is infinitely large; keep it so whatever the polynomial's signs
  const rescale = (x: number) => (Number.isFinite(x) ? poly(x) : Infinity);
  const field = `indicators.${spec.indicator}`;
  return {
    name: 'teacache', spec, needs: [],
    createState: () => ({ accumulated: 0 }),
    decide: (state, ctx) => teacacheStep(state, ctx, spec, spec.threshold,
      () => rescale(requireDistance(ctx.indicators[spec.indicator], field, ctx, 'teacache'))),
    observe: (state, _ctx, computed) => {
      if (computed) state.accumulated = 0;
    },
  };
}
