import { createHash } from 'node:crypto';
import type { PolicySpec } from './policy-spec.js';
import { highestFirstOf } from './coefficients.js';

/** A policy as a sweep row records it: name, flat params, and the main knob for plots. */
export interface PolicyDescription {
  policy: PolicySpec['policy'];
  params: Record<string, string | number | boolean | null>;
  /** threshold, or the interval k; null for none. */
  threshold: number | null;
}

function shortHash(value: unknown): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

/**
 * Flatten a validated spec into sweep-row params. Coefficients and ratios appear as the file they
 * came from (or their numbers) plus a content hash, so two different sets never share a sweep key.
 */
export function describePolicy(spec: PolicySpec): PolicyDescription {
  switch (spec.policy) {
    case 'none':
      return { policy: spec.policy, params: {}, threshold: null };
    case 'teacache': {
      const numbers = spec.coefficients ? highestFirstOf(spec.coefficients) : null;
      const coefficients = spec.coefficientsFile ?? numbers?.join(' ') ?? 'identity';
      return {
        policy: spec.policy, threshold: spec.threshold,
        params: {
          threshold: spec.threshold, indicator: spec.indicator, coefficients,
          // a file refitted in place must not pass for the old one when a sweep resumes
          ...(spec.coefficientsFile && numbers ? { coefficientsHash: shortHash(numbers) } : {}),
          retentionSteps: spec.retentionSteps, cutoffSteps: spec.cutoffSteps,
        },
      };
    }
    case 'interval':
      return { policy: spec.policy, params: { interval: spec.interval }, threshold: spec.interval };
    case 'first-block':
      return { policy: spec.policy, params: { threshold: spec.threshold }, threshold: spec.threshold };
    case 'magcache':
      return {
        policy: spec.policy, threshold: spec.threshold,
        params: {
          threshold: spec.threshold, magRatios: spec.magRatiosFile ?? 'inline', magRatiosHash: shortHash(spec.magRatios),
          maxSkipSteps: spec.maxSkipSteps, retentionRatio: spec.retentionRatio,
        },
      };
    case 'oracle':
      return {
        policy: spec.policy, threshold: spec.threshold,
        params: { threshold: spec.threshold, retentionSteps: spec.retentionSteps, cutoffSteps: spec.cutoffSteps },
      };
  }
}
