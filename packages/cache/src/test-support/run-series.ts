import { CHEAP_INDICATORS, type Branch, type CheapIndicator } from '@teacache/core';
import type { CachePolicy, Decision, StepContext } from '../policy.js';
import { PolicySession } from '../session.js';

/** Per-step inputs of a synthetic run; index = step, index 0 is ignored (null). */
export interface Series {
  modulated?: (number | null)[];
  timestep?: (number | null)[];
  noisy?: (number | null)[];
  firstBlockResidual?: (number | null)[];
  trueOutput?: (number | null)[];
}

/** The contexts of one synthetic run of `steps` steps on one branch. */
export function contexts(steps: number, series: Series, branch: Branch = 'cond'): StepContext[] {
  const at = (s: (number | null)[] | undefined, i: number) => (i === 0 ? null : s?.[i] ?? null);
  return Array.from({ length: steps }, (_, step) => ({
    step, totalSteps: steps, timestep: 1000 - step * (1000 / steps), branch,
    indicators: Object.fromEntries(CHEAP_INDICATORS.map((k) => [k, at(series[k], step)])) as Record<CheapIndicator, number | null>,
    firstBlockResidual: at(series.firstBlockResidual, step),
    trueOutput: at(series.trueOutput, step),
  }));
}

/** Run a policy over one synthetic run; returns the decisions and the C/R schedule. */
export function runSeries(policy: CachePolicy, steps: number, series: Series = {}): { decisions: Decision[]; schedule: string } {
  const session = new PolicySession(policy);
  const decisions = contexts(steps, series).map((ctx) => session.decide(ctx));
  return { decisions, schedule: decisions.map((d) => (d.compute ? 'C' : 'R')).join('') };
}
