import { createRangeWarner } from '@teacache/core';
import type { CachePolicy } from '../policy.js';
import type { TeaCacheSpec } from '../policy-spec.js';
import { rescaleFunction } from '../coefficients.js';
import { requireDistance } from '../signals.js';
import { teacacheStep, type AccumulatorState } from '../teacache-rule.js';

/**
 * TeaCache: accumulate poly(relL1 of the chosen indicator) from step to step; reuse the cached
 * residual while the sum is under the threshold. The indicator's relL1 is always against the
 * previous STEP (TeaCache remembers the indicator every step, computed or not). With a coefficients file, an
 * indicator outside its fitted range is warned about (to `warn`, default stderr) once per position (below, above).
 */
export function teacachePolicy(spec: TeaCacheSpec, warn?: (message: string) => void): CachePolicy<AccumulatorState> {
  const poly = rescaleFunction(spec.coefficients);
  // A coefficients file knows the indicator range it was fitted on: leaving it is said once per policy (one run's use).
  const c = spec.coefficients;
  const inRange = c !== undefined && 'xRange' in c ? createRangeWarner(c, warn) : null;
  // a change from an all-zero indicator is infinitely large; keep it so whatever the polynomial's signs
  const rescale = (x: number) => {
    if (!Number.isFinite(x)) return Infinity;
    inRange?.(x);
    return poly(x);
  };
  const field = `indicators.${spec.indicator}`;
  return {
    name: 'teacache', spec, needs: [spec.indicator],
    createState: () => ({ accumulated: 0 }),
    decide: (state, ctx) => teacacheStep(state, ctx, spec, spec.threshold,
      () => rescale(requireDistance(ctx.indicators[spec.indicator], field, ctx, 'teacache'))),
    observe: (state, _ctx, computed) => {
      if (computed) state.accumulated = 0;
    },
  };
}
