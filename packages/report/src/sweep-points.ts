import type { SweepRow } from '@teacache/core';
import { mean } from './quantile.js';
import { paretoFront } from './pareto-front.js';
import { checkSweepRows, KNOWN_POLICIES, REFERENCE_POLICY } from './sweep-rows.js';

/**
 * The PSNR (dB) a run identical to the uncached one counts as in means and charts, since Infinity cannot be
 * averaged or drawn. Every summary, chart, threshold refinement and recommendation uses this one value.
 */
export const DEFAULT_PSNR_CAP = 60;

/** The policy that is a bound, not a method: it reads the true output change. */
export const ORACLE_POLICY = 'oracle';

/** One policy setting of one model, averaged over the prompts and seeds it ran on. */
export interface SweepPoint {
  model: string;
  policy: string;
  /** The policy plus the parameters that tell its variants apart, e.g. "teacache · indicator=timestep". */
  variant: string;
  threshold: number;
  /** The threshold as a chart label: "k=3" for the interval policy, else the number. */
  thresholdLabel: string;
  /** Mean wall-clock speedup over the uncached run (×). */
  wallSpeedup: number;
  /** Mean steps / computed steps (×). */
  stepSpeedup: number;
  /** Mean PSNR in dB, identical outputs counted at the cap. */
  psnr: number;
  /** Mean SSIM. */
  ssim: number;
  runs: number;
  /** Runs whose output was identical to the reference (PSNR = Infinity). */
  identicalRuns: number;
  /** On the speed-PSNR / speed-SSIM Pareto front among the non-oracle policies of the model. */
  paretoPsnr: boolean;
  paretoSsim: boolean;
}

/** Options for summarising a sweep. */
export interface SweepPointOptions {
  /** PSNR (dB) an identical output counts as, since Infinity cannot be averaged or drawn. Default 60. */
  psnrCap?: number;
}

/** Mean speed and quality per model × policy variant × threshold, with Pareto flags; reference runs left out. */
export function sweepPoints(rows: readonly SweepRow[], options: SweepPointOptions = {}): SweepPoint[] {
  const psnrCap = options.psnrCap ?? DEFAULT_PSNR_CAP;
  const cached = checkSweepRows(rows).filter((r) => r.policy !== REFERENCE_POLICY);
  const labels = variantLabels(cached);
  const groups = new Map<string, SweepRow[]>();
  for (const row of cached) {
    const key = JSON.stringify([row.model, labels.get(row), row.threshold]);
    const group = groups.get(key);
    if (group) group.push(row); else groups.set(key, [row]);
  }
  const points: SweepPoint[] = [...groups.values()].map((g) => ({
    model: g[0].model,
    policy: g[0].policy,
    variant: labels.get(g[0])!,
    threshold: g[0].threshold!,
    thresholdLabel: thresholdLabel(g[0].policy, g[0].threshold!),
    // The oracle runs every step in full to learn the true output change, so its wall time says nothing:
    // it is placed at its step-count speedup, the bound a real indicator with free signals would reach.
    wallSpeedup: g[0].policy === ORACLE_POLICY ? mean(g.map((r) => r.stepSpeedup)) : mean(g.map((r) => r.wallSpeedup)),
    stepSpeedup: mean(g.map((r) => r.stepSpeedup)),
    psnr: mean(g.map((r) => Math.min(r.psnr, psnrCap))),
    ssim: mean(g.map((r) => r.ssim)),
    runs: g.length,
    identicalRuns: g.filter((r) => r.psnr === Infinity).length,
    paretoPsnr: false,
    paretoSsim: false,
  }));
  markParetoFronts(points);
  const rank = (p: SweepPoint) => KNOWN_POLICIES.indexOf(p.policy);
  return points.sort((a, b) => a.model.localeCompare(b.model) || rank(a) - rank(b) || a.variant.localeCompare(b.variant, undefined, { numeric: true }) ||
    a.threshold - b.threshold);
}

/** "k=3" for the interval policy (its knob is a step count), else the threshold with up to 3 significant digits. */
export function thresholdLabel(policy: string, threshold: number): string {
  return policy === 'interval' ? `k=${threshold}` : String(Number(threshold.toPrecision(3)));
}

function markParetoFronts(points: SweepPoint[]): void {
  for (const model of new Set(points.map((p) => p.model))) {
    const candidates = points.filter((p) => p.model === model && p.policy !== ORACLE_POLICY);
    paretoFront(candidates.map((p) => ({ x: p.wallSpeedup, y: p.psnr }))).forEach((on, i) => { candidates[i].paretoPsnr = on; });
    paretoFront(candidates.map((p) => ({ x: p.wallSpeedup, y: p.ssim }))).forEach((on, i) => { candidates[i].paretoSsim = on; });
  }
}

/**
 * A label per row naming its policy variant. The knob (the param equal to the row's threshold) is left
 * out; other params appear only when they differ between runs of the same model and policy.
 */
export function variantLabels(rows: readonly SweepRow[]): Map<SweepRow, string> {
  const otherParams = (row: SweepRow) => Object.entries(row.params)
    .filter(([, value]) => value !== row.threshold)
    .sort(([a], [b]) => a.localeCompare(b));
  const differing = new Map<string, Set<string>>();
  const byPolicy = new Map<string, SweepRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.model, row.policy]);
    const list = byPolicy.get(key);
    if (list) list.push(row); else byPolicy.set(key, [row]);
  }
  for (const [key, list] of byPolicy) {
    const names = new Set(list.flatMap((r) => otherParams(r).map(([k]) => k)));
    differing.set(key, new Set([...names].filter((name) =>
      new Set(list.map((r) => JSON.stringify(r.params[name] ?? null))).size > 1)));
  }
  const labels = new Map<SweepRow, string>();
  for (const row of rows) {
    const keys = differing.get(JSON.stringify([row.model, row.policy]))!;
    const parts = otherParams(row).filter(([k]) => keys.has(k)).map(([k, v]) => `${k}=${shortValue(v)}`);
    labels.set(row, parts.length === 0 ? row.policy : `${row.policy} · ${parts.join(', ')}`);
  }
  return labels;
}

/** Parameter values as labels: file paths by their base name, so legends stay short. */
function shortValue(value: string | number | boolean | null): string {
  if (typeof value === 'string' && value.includes('/')) return value.slice(value.lastIndexOf('/') + 1);
  return String(value);
}
