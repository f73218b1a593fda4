import {
  CHEAP_INDICATORS, FormatError, isPolicyName, nestedFormatError, POLICY_NAMES, validateCoefficientsFile, type CheapIndicator, type CoefficientsFile, type PolicyName,
} from '@teacache/core';
import { highestFirstOf, type RescaleCoefficients } from './coefficients.js';

/** Always compute: the uncached reference. */
export interface NoneSpec {
  policy: 'none';
}

/** TeaCache: accumulate the rescaled indicator change; reuse while the sum stays under the threshold. */
export interface TeaCacheSpec {
  policy: 'teacache';
  threshold: number;
  /** Which cheap indicator's relL1 is rescaled and accumulated (default modulated). */
  indicator: CheapIndicator;
  /** Rescaling polynomial; absent = identity. */
  coefficients?: RescaleCoefficients;
  /** Where the coefficients were read from, kept for the sweep row's params. */
  coefficientsFile?: string;
  /** Steps at the start that are always computed (>= 1; the first step has nothing to reuse). */
  retentionSteps: number;
  /** Steps at the end that are always computed (default 1: the last step; 0 as in Wan2.1's use_ret_steps). */
  cutoffSteps: number;
}

/** Fixed-interval reuse (FORA / Δ-DiT style): compute every `interval`-th step and the last step. */
export interface IntervalSpec {
  policy: 'interval';
  interval: number;
}

/** First Block Cache: reuse the rest of the stack while the first block's residual barely changed. */
export interface FirstBlockSpec {
  policy: 'first-block';
  threshold: number;
}

/** Per-step magnitude ratios (index = step; index 0 unused), shared or per guidance branch. */
export type MagRatios = readonly number[] | { cond: readonly number[]; uncond?: readonly number[] };

/** MagCache: accumulate the error implied by calibrated magnitude ratios, with a cap on consecutive reuses. */
export interface MagCacheSpec {
  policy: 'magcache';
  threshold: number;
  magRatios: MagRatios;
  /** Where the ratios were read from, kept for the sweep row's params. */
  magRatiosFile?: string;
  /** Most consecutive reuses (MagCache's K; default 2 as in MagCache4Wan2.1). */
  maxSkipSteps: number;
  /** Fraction of the steps at the start that are always computed (default 0.2 as in MagCache4Wan2.1). */
  retentionRatio: number;
}

/** The TeaCache rule fed with the true output change: the best any indicator could do. */
export interface OracleSpec {
  policy: 'oracle';
  threshold: number;
  retentionSteps: number;
  cutoffSteps: number;
}

export type PolicySpec = NoneSpec | TeaCacheSpec | IntervalSpec | FirstBlockSpec | MagCacheSpec | OracleSpec;
// Core's list of policy names and the specs here name the same policies (a compile error if one is added to only one side).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SPECS_MATCH_POLICY_NAMES: Same<PolicySpec['policy'], PolicyName> = true;
void SPECS_MATCH_POLICY_NAMES;

/** A spec as a user writes it: the policy name plus any of its fields; defaults are filled in by validation. */
export type PolicySpecInput = { policy: string } & Record<string, unknown>;

const KEYS: Record<PolicyName, readonly string[]> = {
  none: [],
  teacache: ['threshold', 'indicator', 'coefficients', 'coefficientsFile', 'retentionSteps', 'cutoffSteps'],
  interval: ['interval'],
  'first-block': ['threshold'],
  magcache: ['threshold', 'magRatios', 'magRatiosFile', 'maxSkipSteps', 'retentionRatio'],
  oracle: ['threshold', 'retentionSteps', 'cutoffSteps'],
};

class SpecReader {
  constructor(private readonly input: Record<string, unknown>, readonly file: string) {}

  fail(field: string, expected: string, found: unknown): never {
    throw new FormatError({ file: this.file, field }, expected, found);
  }

  missing(field: string, expected: string): never {
    throw new FormatError({ file: this.file, field }, `${expected} (the field is missing)`);
  }

  number(field: string, check: (x: number) => boolean, expected: string, fallback?: number): number {
    const v = this.input[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) this.missing(field, expected);
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) this.fail(field, expected, v);
    return v;
  }

  threshold(): number {
    return this.number('threshold', (x) => x >= 0, 'a finite number >= 0');
  }

  integer(field: string, min: number, fallback?: number): number {
    return this.number(field, (x) => Number.isInteger(x) && x >= min, `a whole number >= ${min}`, fallback);
  }

  optionalString(field: string): string | undefined {
    const v = this.input[field];
    if (v !== undefined && typeof v !== 'string') this.fail(field, 'a file path', v);
    return v as string | undefined;
  }
}

function ratioList(value: unknown, field: string, r: SpecReader): readonly number[] {
  if (!Array.isArray(value) || value.length === 0) r.fail(field, 'a non-empty array of magnitude ratios', value);
  (value as unknown[]).forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) r.fail(`${field}[${i}]`, 'a finite ratio > 0', v);
  });
  return value as number[];
}

function magRatios(value: unknown, r: SpecReader): MagRatios {
  if (value === undefined) r.missing('magRatios', 'per-step magnitude ratios (an array, or { cond, uncond })');
  if (Array.isArray(value)) return ratioList(value, 'magRatios', r);
  if (value === null || typeof value !== 'object') r.fail('magRatios', 'an array of ratios or { cond, uncond }', value);
  const { cond, uncond } = value as Record<string, unknown>;
  return {
    cond: ratioList(cond, 'magRatios.cond', r),
    ...(uncond === undefined ? {} : { uncond: ratioList(uncond, 'magRatios.uncond', r) }),
  };
}

function coefficients(value: unknown, indicator: CheapIndicator, r: SpecReader): RescaleCoefficients | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    r.fail('coefficients', '{ highestFirst: [...] } or a teacache coefficients file', value);
  }
  // An inline coefficients file is checked as strictly as one read from disk; only a bare polynomial is free-form.
  const c = 'highestFirst' in value ? value as RescaleCoefficients : inlineCoefficientsFile(value, r.file);
  highestFirstOf(c, { file: r.file, field: 'coefficients' });
  const fitted = (c as Partial<CoefficientsFile>).indicator;
  if (fitted !== undefined && fitted !== indicator) {
    r.fail('coefficients.indicator', `coefficients fitted on the "${indicator}" indicator the policy reads`, fitted);
  }
  return c;
}

/** A coefficients file given inline in a spec, validated by core's one reader; errors name the spec and `coefficients.<field>`. */
function inlineCoefficientsFile(value: object, file: string): CoefficientsFile {
  try {
    return validateCoefficientsFile(value, file);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    throw nestedFormatError(err, file, 'coefficients');
  }
}

/**
 * Validate a policy spec object and fill in defaults. Throws a FormatError naming the field for an
 * unknown policy, an unknown field (a typo must not silently fall back to a default), or a bad value.
 * `file` names where the spec came from (a CLI option, a sweep config file).
 */
export function validatePolicySpec(input: unknown, file = '<policy spec>'): PolicySpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new FormatError({ file }, 'a policy spec object with a "policy" field', input);
  }
  const obj = input as Record<string, unknown>;
  const name = obj.policy;
  if (typeof name !== 'string' || !isPolicyName(name)) {
    if (name === undefined) throw new FormatError({ file, field: 'policy' }, `one of ${POLICY_NAMES.join(', ')} (the field is missing)`);
    throw new FormatError({ file, field: 'policy' }, `one of ${POLICY_NAMES.join(', ')}`, name);
  }
  const policy = name;
  for (const key of Object.keys(obj)) {
    if (key !== 'policy' && !KEYS[policy].includes(key)) {
      const allowed = KEYS[policy].length ? KEYS[policy].join(', ') : 'no other fields';
      throw new FormatError({ file, field: key }, `only fields ${policy} knows (${allowed}); this one is unknown`);
    }
  }
  const r = new SpecReader(obj, file);
  switch (policy) {
    case 'none':
      return { policy };
    case 'teacache': {
      const indicator = obj.indicator ?? 'modulated';
      if (typeof indicator !== 'string' || !(CHEAP_INDICATORS as readonly string[]).includes(indicator)) {
        r.fail('indicator', `one of ${CHEAP_INDICATORS.join(', ')}`, indicator);
      }
      const c = coefficients(obj.coefficients, indicator as CheapIndicator, r);
      const coefficientsFile = r.optionalString('coefficientsFile');
      return {
        policy, threshold: r.threshold(), indicator: indicator as CheapIndicator,
        ...(c ? { coefficients: c } : {}), ...(coefficientsFile !== undefined ? { coefficientsFile } : {}),
        retentionSteps: r.integer('retentionSteps', 1, 1), cutoffSteps: r.integer('cutoffSteps', 0, 1),
      };
    }
    case 'interval':
      return { policy, interval: r.integer('interval', 1) };
    case 'first-block':
      return { policy, threshold: r.threshold() };
    case 'magcache': {
      const magRatiosFile = r.optionalString('magRatiosFile');
      return {
        policy, threshold: r.threshold(), magRatios: magRatios(obj.magRatios, r),
        ...(magRatiosFile !== undefined ? { magRatiosFile } : {}),
        maxSkipSteps: r.integer('maxSkipSteps', 1, 2),
        retentionRatio: r.number('retentionRatio', (x) => x >= 0 && x < 1, 'a fraction in [0, 1)', 0.2),
      };
    }
    case 'oracle':
      return { policy, threshold: r.threshold(), retentionSteps: r.integer('retentionSteps', 1, 1), cutoffSteps: r.integer('cutoffSteps', 0, 1) };
  }
}
