import { mean, pairedRatioInterval, policyRank, REFERENCE_POLICY, type SweepRow } from '@teacache/core';
import { DEFAULT_PSNR_PROTOCOL, rowPsnr, rowSsim, type PsnrProtocol } from './psnr-protocol.js';
import { paretoFront } from './pareto-front.js';
import { checkSweepRows } from './check-rows.js';

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
  /**
   * Wall-clock speedup over the uncached run (×): the geometric mean of every timed pair's ratio over the runs
   * not flagged impossible. Null for the oracle (it computes every step to learn the true change, so its wall
   * time is no result) and when every run was flagged.
   */
  wallSpeedup: number | null;
  /** Confidence interval of wallSpeedup (t interval on the pooled log ratios); null with fewer than 2 pairs. */
  wallSpeedupLow: number | null;
  wallSpeedupHigh: number | null;
  /** Timed pairs behind wallSpeedup. */
  wallPairs: number;
  /** Runs whose wall speedup exceeded their step speedup beyond its interval: left out of wallSpeedup. */
  flaggedRuns: number;
  /** Mean steps / computed steps (×). */
  stepSpeedup: number;
  /** Mean uncached FLOPs / FLOPs (×); null when a run lacks FLOPs (rows written before they were recorded). */
  flopSpeedup: number | null;
  /** Mean PSNR in dB under the protocol, identical outputs counted at the cap. */
  psnr: number;
  /** The protocol psnr and ssim follow. */
  psnrProtocol: PsnrProtocol;
  /** Mean PSNR of the other protocol's fields for reference: pooled float (always) and paper (null when absent). */
  psnrPooled: number;
  psnrFrames8bit: number | null;
  /** Mean SSIM under the protocol. */
  ssim: number;
  runs: number;
  /** Runs whose output was identical to the reference (MSE 0: pooled PSNR Infinity, the paper's protocol 100 dB). */
  identicalRuns: number;
  /** On the speed-PSNR / speed-SSIM Pareto front among the non-oracle policies of the model. */
  paretoPsnr: boolean;
  paretoSsim: boolean;
}

/** Options for summarising a sweep. */
export interface SweepPointOptions {
  /** PSNR (dB) an identical output counts as, since Infinity cannot be averaged or drawn. Default 60. */
  psnrCap?: number;
  /** Which PSNR (and SSIM) the points carry; default the paper's (per-frame 8-bit). */
  psnrProtocol?: PsnrProtocol;
}

/**
 * Wall speedup of a group of runs from their timed pairs, pooled (rows written before pairs were recorded count
 * as one pair with their stored wallSpeedup); runs flagged impossible are left out and counted.
 */
function wallOf(rows: readonly SweepRow[]): Pick<SweepPoint, 'wallSpeedup' | 'wallSpeedupLow' | 'wallSpeedupHigh' | 'wallPairs' | 'flaggedRuns'> {
  const kept = rows.filter((r) => r.wallSpeedupImpossible !== true);
  const refs = kept.flatMap((r) => r.referenceWallSecondsRepeats ?? [r.wallSpeedup]);
  const runs = kept.flatMap((r) => r.wallSecondsRepeats ?? [1]);
  const flaggedRuns = rows.length - kept.length;
  if (refs.length === 0) return { wallSpeedup: null, wallSpeedupLow: null, wallSpeedupHigh: null, wallPairs: 0, flaggedRuns };
  const w = pairedRatioInterval(refs, runs);
  return { wallSpeedup: w.ratio, wallSpeedupLow: w.low, wallSpeedupHigh: w.high, wallPairs: w.pairs, flaggedRuns };
}

/** Mean speed and quality per model × policy variant × threshold, with Pareto flags; reference runs left out. */
export function sweepPoints(rows: readonly SweepRow[], options: SweepPointOptions = {}): SweepPoint[] {
  const psnrCap = options.psnrCap ?? DEFAULT_PSNR_CAP;
  const protocol = options.psnrProtocol ?? DEFAULT_PSNR_PROTOCOL;
  const cached = checkSweepRows(rows).filter((r) => r.policy !== REFERENCE_POLICY);
  const rowNumber = new Map(rows.map((r, i) => [r, i + 1]));
  const psnrOf = (r: SweepRow) => Math.min(rowPsnr(r, protocol, 'sweep rows', rowNumber.get(r)), psnrCap);
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
    // The oracle runs every step in full to learn the true output change, so its wall time says nothing.
    ...(g[0].policy === ORACLE_POLICY
      ? { wallSpeedup: null, wallSpeedupLow: null, wallSpeedupHigh: null, wallPairs: 0, flaggedRuns: 0 }
      : wallOf(g)),
    stepSpeedup: mean(g.map((r) => r.stepSpeedup)),
    flopSpeedup: g.every((r) => r.flopSpeedup !== undefined) ? mean(g.map((r) => r.flopSpeedup!)) : null,
    psnr: mean(g.map(psnrOf)),
    psnrProtocol: protocol,
    psnrPooled: mean(g.map((r) => Math.min(r.psnr, psnrCap))),
    psnrFrames8bit: g.every((r) => r.psnrFrames8bit !== undefined) ? mean(g.map((r) => Math.min(r.psnrFrames8bit!, psnrCap))) : null,
    ssim: mean(g.map((r) => rowSsim(r, protocol, 'sweep rows', rowNumber.get(r)))),
    runs: g.length,
    identicalRuns: g.filter((r) => r.mse === 0 || rowPsnr(r, protocol) === Infinity).length,
    paretoPsnr: false,
    paretoSsim: false,
  }));
  markParetoFronts(points);
  return points.sort((a, b) => a.model.localeCompare(b.model) || policyRank(a.policy) - policyRank(b.policy) || a.variant.localeCompare(b.variant, undefined, { numeric: true }) ||
    a.threshold - b.threshold);
}

/** "k=3" for the interval policy (its knob is a step count), else the threshold with up to 3 significant digits. */
export function thresholdLabel(policy: string, threshold: number): string {
  return policy === 'interval' ? `k=${threshold}` : String(Number(threshold.toPrecision(3)));
}

/**
 * The machine-independent speedup of a point: FLOPs when every point drawn with it recorded them (`byFlops`),
 * else steps, so one axis never mixes the two. Charts and the Pareto front use it: a re-run on a busy machine
 * draws the same picture.
 */
export function costSpeedup(p: SweepPoint, byFlops: boolean): number {
  return byFlops && p.flopSpeedup !== null ? p.flopSpeedup : p.stepSpeedup;
}

/** Whether every point has a FLOP speedup (rows written before FLOPs were recorded have none). */
export function allHaveFlops(points: readonly SweepPoint[]): boolean {
  return points.every((p) => p.flopSpeedup !== null);
}

function markParetoFronts(points: SweepPoint[]): void {
  for (const model of new Set(points.map((p) => p.model))) {
    const candidates = points.filter((p) => p.model === model && p.policy !== ORACLE_POLICY);
    const byFlops = allHaveFlops(points);
    paretoFront(candidates.map((p) => ({ x: costSpeedup(p, byFlops), y: p.psnr }))).forEach((on, i) => { candidates[i].paretoPsnr = on; });
    paretoFront(candidates.map((p) => ({ x: costSpeedup(p, byFlops), y: p.ssim }))).forEach((on, i) => { candidates[i].paretoSsim = on; });
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
    const forced = keys.has('retentionSteps') || keys.has('cutoffSteps') ? [forcedStepsLabel(row.params)] : [];
    const parts = otherParams(row).filter(([k]) => keys.has(k) && k !== 'retentionSteps' && k !== 'cutoffSteps').map(([k, v]) => `${k}=${shortValue(v)}`);
    labels.set(row, parts.length + forced.length === 0 ? row.policy : `${row.policy} · ${[...forced, ...parts].join(', ')}`);
  }
  return labels;
}

/**
 * The forced steps of a TeaCache (or oracle) variant in words, naming the published rules they match
 * (ali-vilab/TeaCache 7c10efc, TeaCache4Wan2.1: first and last step by default; first 5, last not, with use_ret_steps).
 */
export function forcedStepsLabel(params: SweepRow['params']): string {
  const r = Number(params.retentionSteps ?? 1);
  const c = Number(params.cutoffSteps ?? 1);
  if (r === 1 && c === 1) return 'first & last step forced (published default)';
  if (r > 1 && c === 0) return `first ${r} forced, last not (Wan2.1 use_ret_steps rule)`;
  const end = c === 0 ? 'last not forced' : c === 1 ? 'last forced' : `last ${c} forced`;
  return `first ${r} forced, ${end}`;
}

/** Parameter values as labels: file paths by their base name, so legends stay short. */
function shortValue(value: string | number | boolean | null): string {
  if (typeof value === 'string' && value.includes('/')) return value.slice(value.lastIndexOf('/') + 1);
  return String(value);
}
