import { FormatError, POLICY_NAMES, readCoefficientsFile, readTraceDir, type CheapIndicator, type PolicyName } from '@teacache/core';
import { magRatiosFromTrace } from '../mag-ratios.js';
import { validatePolicySpec, type IntervalSpec, type NoneSpec, type PolicySpec } from '../policy-spec.js';

/** The policies whose setting is a threshold (every one but none and interval). */
export type ThresholdSpec = Exclude<PolicySpec, NoneSpec | IntervalSpec>;

/**
 * One policy variant of a sweep grid with its settings, in sweep order: the uncached reference run; the fixed
 * intervals; or one threshold policy with every other parameter fixed (its retention, indicator, polynomial...),
 * one spec per threshold.
 */
export type SweepVariant =
  | { kind: 'reference'; specs: [NoneSpec] }
  | { kind: 'interval'; specs: IntervalSpec[] }
  | { kind: 'threshold'; specs: ThresholdSpec[] };

/** Every spec of a grid, in sweep order (the order rows are run and written). */
export function gridSpecs(variants: readonly SweepVariant[]): PolicySpec[] {
  return variants.flatMap((v): PolicySpec[] => v.specs);
}

/** Default settings per policy: wide enough to draw a speed-quality curve for DDPM (50-step) and rectified-flow (30-step) models. */
export const DEFAULT_SETTINGS: Record<Exclude<PolicyName, 'none'>, number[]> = {
  teacache: [0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6],
  oracle: [0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6],
  'first-block': [0.005, 0.01, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3],
  magcache: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2],
  interval: [2, 3, 4, 5],
};

/** Parse per-policy settings: "0.1,0.2" (every threshold policy) or "teacache=0.1,0.2" (one policy); repeatable. */
export function parseSettings(values: readonly string[] | undefined): { all?: number[]; byPolicy: Record<string, number[]> } {
  const byPolicy: Record<string, number[]> = {};
  let all: number[] | undefined;
  for (const v of values ?? []) {
    const m = /^([a-z-]+)=(.*)$/.exec(v.trim());
    const list = (m ? m[2] : v).split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
      const n = Number(x);
      if (!Number.isFinite(n) || n < 0) throw new FormatError({ field: 'thresholds' }, 'numbers >= 0 separated by commas', x);
      return n;
    });
    if (m) byPolicy[m[1]] = list;
    else all = list;
  }
  return { all, byPolicy };
}

/** Magnitude ratios calibrated from every trace of a directory (fully computed runs). */
export function magRatiosFromDir(dir: string): { cond: number[]; uncond?: number[] } {
  return magRatiosFromTrace(readTraceDir(dir).flatMap((run) => run.rows), dir);
}

export interface SpecOptions {
  policies: string[];
  thresholds?: string[];
  intervals?: string;
  coefficients?: string;
  indicator: string;
  traces?: string;
  /** Steps at the start that teacache and the oracle always compute, one sweep variant per value (default [1]). */
  retention?: number[];
  /**
   * Steps at the end always computed, for every variant. Default: as published, cutoffFor(retention): the last
   * step for retention 1 (the first-and-last rule), none for more (Wan2.1's use_ret_steps).
   */
  cutoff?: number;
}

/**
 * The cut-off the published integrations pair with a retention (ali-vilab/TeaCache 7c10efc,
 * TeaCache4Wan2.1/teacache_generate.py: without use_ret_steps the first and the last step are computed; with it,
 * the first 5 steps and not the last). Counts in sampling steps.
 */
export function cutoffFor(retentionSteps: number): number {
  return retentionSteps > 1 ? 0 : 1;
}

/** Parse --cutoff: a whole number of steps >= 0. */
export function parseCutoff(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new FormatError({ field: 'cutoff' }, 'a whole number of steps >= 0', value);
  return n;
}

/**
 * Retention variants worth sweeping for a run of `steps` steps: the first step only (with the last: the published
 * default rule), and the first 10% and 20% of the steps with the last not forced (the published Wan2.1
 * use_ret_steps rule retains 5 of 50 steps, 10%; MagCache's default is 20%). Models whose early, noisiest steps
 * decide the layout (ε-prediction) need them computed.
 */
export function defaultRetention(steps: number): number[] {
  return [...new Set([1, Math.round(0.1 * steps), Math.round(0.2 * steps)].map((r) => Math.max(1, r)))];
}

/** Parse "1,5,10" into retention step counts (whole numbers >= 1). */
export function parseRetention(text: string): number[] {
  return text.split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 1) throw new FormatError({ field: 'retention' }, 'whole numbers of steps >= 1 separated by commas', x);
    return n;
  });
}

/**
 * Expand the sweep options (as the CLI takes them) into the grid's variants, each with its validated specs (one per
 * setting); gridSpecs lists them in sweep order.
 */
export function buildSpecs(o: SpecOptions): SweepVariant[] {
  const settings = parseSettings(o.thresholds);
  const reference = (): SweepVariant => ({ kind: 'reference', specs: [{ policy: 'none' }] });
  // The uncached run itself is always a row: the reference point of every speed-quality chart.
  const variants: SweepVariant[] = o.policies.includes('none') ? [] : [reference()];
  for (const policy of o.policies) {
    if (policy === 'none') {
      variants.push(reference());
      continue;
    }
    const values = policy === 'interval'
      ? (o.intervals ? o.intervals.split(',').map(Number) : settings.byPolicy.interval ?? DEFAULT_SETTINGS.interval)
      : settings.byPolicy[policy] ?? settings.all ?? DEFAULT_SETTINGS[policy as keyof typeof DEFAULT_SETTINGS];
    if (!values) throw new FormatError({ field: 'policies' }, `one of ${POLICY_NAMES.join(', ')}`, policy);
    const ratios = policy === 'magcache' ? magcacheRatios(o.traces) : undefined;
    // TeaCache's threshold means something only on the rescaled indicator: an identity polynomial would sweep a rule
    // no fit produced, so a teacache sweep without coefficients is refused rather than run.
    if (policy === 'teacache' && !o.coefficients) {
      throw new FormatError({ file: 'argument --coefficients' },
        'a coefficients file for the teacache policy (made by teacache fit; or leave teacache out of --policies)', 'none');
    }
    const coefficients = policy === 'teacache' && o.coefficients ? readCoefficientsFile(o.coefficients) : undefined;
    const retained = policy === 'teacache' || policy === 'oracle' ? o.retention ?? [1] : [null];
    for (const retention of retained) {
      const specs: PolicySpec[] = [];
      for (const v of values) {
        const input: Record<string, unknown> = { policy };
        if (policy === 'interval') input.interval = v;
        else input.threshold = v;
        if (retention !== null) {
          input.retentionSteps = retention;
          input.cutoffSteps = o.cutoff ?? cutoffFor(retention);
        }
        if (policy === 'teacache') {
          input.indicator = o.indicator as CheapIndicator;
          if (coefficients) {
            input.coefficients = coefficients;
            input.coefficientsFile = o.coefficients;
          }
        }
        if (ratios) input.magRatios = ratios;
        specs.push(validatePolicySpec(input, `--policies ${policy}`));
      }
      variants.push(policy === 'interval'
        ? { kind: 'interval', specs: specs.filter((s): s is IntervalSpec => s.policy === 'interval') }
        : { kind: 'threshold', specs: specs.filter((s): s is ThresholdSpec => s.policy !== 'none' && s.policy !== 'interval') });
    }
  }
  return variants;
}

function magcacheRatios(traces: string | undefined): { cond: number[]; uncond?: number[] } {
  if (!traces) throw new FormatError({ field: 'traces' }, 'a trace directory (--traces) to calibrate MagCache\'s magnitude ratios from', 'none');
  return magRatiosFromDir(traces);
}
