import type { CachePolicy } from '../policy.js';
import type { OracleSpec } from '../policy-spec.js';
import { requireDistance } from '../signals.js';
import { teacacheStep, type AccumulatorState } from '../teacache-rule.js';

/**
 * Oracle: the TeaCache rule fed with the true output change (ctx.trueOutput, from a full computation
 * alongside), no rescaling. An upper bound on what any indicator and fit can reach.
 */
export function oraclePolicy(spec: OracleSpec): CachePolicy<AccumulatorState> {
  return {
    name: 'oracle', spec, needs: ['trueOutput'],
    createState: () => ({ accumulated: 0 }),
    decide: (state, ctx) => teacacheStep(state, ctx, spec, spec.threshold,
      () => requireDistance(ctx.trueOutput, 'trueOutput', ctx, 'oracle')),
    observe: (state, _ctx, computed) => {
      if (computed) state.accumulated = 0;
    },
  };
}
