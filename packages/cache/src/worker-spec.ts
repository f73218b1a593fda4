import type { PolicySpec, TeaCacheSpec } from './policy-spec.js';
import { fittedPolynomialOf, type FittedPolynomial } from './coefficients.js';

/** A TeaCache spec as it travels to a sweep worker: its polynomial without the rest of the coefficients file. */
export type WorkerTeaCacheSpec = Omit<TeaCacheSpec, 'coefficients'> & { coefficients?: { highestFirst: readonly number[] } | FittedPolynomial };

/** A policy spec as sent to a sweep worker (process message or queued job); every one is also a PolicySpec. */
export type WorkerSpec = Exclude<PolicySpec, TeaCacheSpec> | WorkerTeaCacheSpec;

/**
 * The spec with only what the policy reads at run time: a TeaCache coefficients file is cut to its polynomial,
 * model, indicator and fitted range (the range warning's). Its sweep-row description (describePolicy) is unchanged.
 */
export function workerSpec(spec: PolicySpec): WorkerSpec {
  if (spec.policy !== 'teacache') return spec;
  const { coefficients, ...rest } = spec;
  return coefficients === undefined ? rest : { ...rest, coefficients: fittedPolynomialOf(coefficients) };
}
