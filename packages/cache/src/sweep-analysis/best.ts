import type { SweepRow } from '@teacache/core';
import { ORACLE_POLICY, sweepPoints, type SweepPoint, type SweepPointOptions } from './sweep-points.js';
import { DEFAULT_PSNR_PROTOCOL, psnrProtocolLabel, type PsnrProtocol } from './psnr-protocol.js';

/** One line of the summary: a model's policy variant at its best threshold for the quality target. */
export interface SummaryRow {
  model: string;
  variant: string;
  /** The best setting (bestAtTarget; in words: bestSettingRule); null when none reaches the target. */
  best: SweepPoint | null;
  /** How many thresholds of this variant were run. */
  thresholdsTried: number;
  /** The oracle's largest mean step-count speedup at the same target; null when it has no setting there, undefined without oracle runs. */
  oracleStepSpeedup: number | null | undefined;
}

/** Options of the summary table. */
export interface SummaryOptions extends SweepPointOptions {
  /** Quality target in dB of PSNR against the uncached output (default 30). */
  targetPsnr?: number;
}

/**
 * What "best" means, in words, wherever a best setting is shown (summary.md, the page, calibrate's output, the
 * notebooks): the one definition bestAtTarget implements.
 */
export function bestSettingRule(targetPsnr: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL): string {
  return `Best setting: among the thresholds whose mean ${psnrProtocolLabel(protocol)} against the uncached output reaches ` +
    `${targetPsnr} dB (means over prompts and seeds), the one with the largest mean step speedup (fewest block-stack runs, ` +
    'which within a policy is also the largest FLOP speedup); ties go to the higher PSNR, then the smaller threshold. ' +
    'Wall time never decides, since it moves with the load on the machine: it is shown beside, with its 95% interval.';
}

/**
 * The point with the largest step-count speedup among those whose mean PSNR reaches `targetPsnr` (dB); among
 * equal step counts the higher PSNR wins, then the smaller threshold. Every key is one that a re-run
 * reproduces exactly: wall time moves with whatever else the machine is doing, so it never decides.
 * Null when no point reaches the target.
 */
export function bestAtTarget(points: readonly SweepPoint[], targetPsnr: number): SweepPoint | null {
  const better = (p: SweepPoint, q: SweepPoint) => {
    if (p.stepSpeedup !== q.stepSpeedup) return p.stepSpeedup > q.stepSpeedup;
    if (p.psnr !== q.psnr) return p.psnr > q.psnr;
    return p.threshold < q.threshold;
  };
  return points.filter((p) => p.psnr >= targetPsnr).reduce<SweepPoint | null>((best, p) => (best === null || better(p, best) ? p : best), null);
}

/** Best threshold per model and policy variant for a PSNR target, with the oracle's speedup at the same target. */
export function summaryRows(rows: readonly SweepRow[], options: SummaryOptions = {}): SummaryRow[] {
  const target = options.targetPsnr ?? 30;
  if (!Number.isFinite(target)) throw new RangeError(`summary: the PSNR target must be a finite number of dB, got ${target}`);
  const points = sweepPoints(rows, options);
  const fastest = (candidates: SweepPoint[]) => bestAtTarget(candidates, target);
  const summary: SummaryRow[] = [];
  for (const model of [...new Set(points.map((p) => p.model))]) {
    const ofModel = points.filter((p) => p.model === model);
    const oracle = ofModel.filter((p) => p.policy === ORACLE_POLICY);
    const oracleBest = oracle.length === 0 ? undefined : fastest(oracle)?.stepSpeedup ?? null;
    for (const variant of [...new Set(ofModel.filter((p) => p.policy !== ORACLE_POLICY).map((p) => p.variant))]) {
      const candidates = ofModel.filter((p) => p.variant === variant);
      summary.push({ model, variant, best: fastest(candidates), thresholdsTried: candidates.length, oracleStepSpeedup: oracleBest });
    }
  }
  return summary;
}
