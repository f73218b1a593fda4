import type { SweepRow } from '@teacache/core';
import { describePolicy } from '../describe-policy.js';
import { DEFAULT_PSNR_PROTOCOL, type PsnrProtocol } from './psnr-protocol.js';
import { sweepPoints } from './sweep-points.js';
import type { SweepVariant, ThresholdSpec } from './spec-grid.js';

/** A variant's identity as sweep rows record it: the policy and its params but the threshold, keys sorted. */
function paramsKey(policy: string, params: SweepRow['params']): string {
  const rest = Object.keys(params).filter((k) => k !== 'threshold').sort().map((k) => [k, params[k]]);
  return JSON.stringify([policy, rest]);
}

/**
 * Thresholds worth sweeping next to reach a PSNR target (dB) with the largest speedup: for every threshold variant
 * of the grid (interval has no threshold), `count` thresholds spaced geometrically between the largest threshold
 * whose mean PSNR over the variant's rows of `model` reaches the target and the next larger one swept, which does
 * not. A variant that reaches the target at none gets `count` halvings below its smallest threshold; one that
 * reaches it at every threshold gets nothing (raise the thresholds instead). Thresholds already swept are left out.
 * Returns the new settings as variants of the same specs (every field but the threshold kept).
 */
export function refineSpecs(
  variants: readonly SweepVariant[], rows: readonly SweepRow[], model: string, targetPsnr: number, count = 3,
  protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL,
): SweepVariant[] {
  const out: SweepVariant[] = [];
  const seen = new Set<string>();
  for (const variant of variants) {
    if (variant.kind !== 'threshold' || variant.specs.length === 0) continue;
    const template = variant.specs[0];
    // The variant's rows: those whose recorded params are this spec's, whatever the threshold. A variant listed
    // twice is refined once.
    const key = paramsKey(template.policy, describePolicy(template).params);
    if (seen.has(key)) continue;
    seen.add(key);
    const own = rows.filter((r) => r.model === model && paramsKey(r.policy, r.params) === key);
    if (own.length === 0) continue;
    // Means as the report's summary takes them (same PSNR cap, same protocol).
    const psnr = new Map(sweepPoints(own, { psnrProtocol: protocol }).map((p) => [p.threshold, p.psnr]));
    const added = newThresholds(psnr, targetPsnr, count);
    if (added.length > 0) out.push({ kind: 'threshold', specs: added.map((threshold): ThresholdSpec => ({ ...template, threshold })) });
  }
  return out;
}

/** The thresholds refineSpecs adds to one variant, given its mean PSNR (dB) per threshold swept. */
function newThresholds(psnr: ReadonlyMap<number, number>, targetPsnr: number, count: number): number[] {
  const thresholds = [...psnr.keys()].sort((a, b) => a - b);
  const passing = thresholds.filter((t) => psnr.get(t)! >= targetPsnr);
  if (passing.length === 0) {
    return thresholds[0] > 0 ? Array.from({ length: count }, (_, k) => Number((thresholds[0] / 2 ** (k + 1)).toPrecision(3))) : [];
  }
  const lo = passing[passing.length - 1];
  const hi = thresholds.find((t) => t > lo);
  if (hi === undefined || lo <= 0) return [];
  const added: number[] = [];
  for (let k = 1; k <= count; k++) {
    const t = Number((lo * Math.pow(hi / lo, k / (count + 1))).toPrecision(3));
    if (t > lo && t < hi && !psnr.has(t)) added.push(t);
  }
  return added;
}
