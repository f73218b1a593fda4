import { readSweepRows, type SweepRow } from '@teacache/core';
import { runSweep, type SweepOptions } from '@teacache/trace';
import { describePolicy, type PolicySpec } from '@teacache/cache';
import { DEFAULT_PSNR_PROTOCOL, psnrProtocolLabel, sweepPoints, type PsnrProtocol } from '@teacache/report';

type ThresholdSpec = Exclude<PolicySpec, { policy: 'none' } | { policy: 'interval' }>;

/** A policy setting's identity without its threshold: the policy and its other params, keys sorted. */
function variantKey(policy: string, params: SweepRow['params']): string {
  const rest = Object.keys(params).filter((k) => k !== 'threshold').sort().map((k) => [k, params[k]]);
  return JSON.stringify([policy, rest]);
}

/** Mean PSNR per threshold of one variant's rows, as the report's summary averages them (same cap, same protocol). */
function meanPsnrByThreshold(rows: readonly SweepRow[], protocol: PsnrProtocol): Map<number, number> {
  return new Map(sweepPoints(rows, { psnrProtocol: protocol }).map((p) => [p.threshold, p.psnr]));
}

/**
 * Thresholds worth sweeping next to reach a PSNR target with the largest speedup: for every threshold policy
 * variant in `specs` (interval has no threshold), `count` thresholds spaced geometrically between the largest
 * threshold whose mean PSNR over `rows` reaches the target and the next larger one swept, which does not.
 * A variant that reaches the target at none gets `count` halvings below its smallest threshold; one that reaches it
 * at every threshold gets nothing (raise the thresholds instead). Thresholds already swept are left out.
 */
export function refineSpecs(
  specs: readonly PolicySpec[], rows: readonly SweepRow[], model: string, targetPsnr: number, count = 3, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL,
): PolicySpec[] {
  const templates = new Map<string, ThresholdSpec>();
  for (const spec of specs) {
    if (spec.policy === 'none' || spec.policy === 'interval') continue;
    const d = describePolicy(spec);
    templates.set(variantKey(d.policy, d.params), spec);
  }
  const byVariant = new Map<string, SweepRow[]>();
  for (const r of rows) {
    if (r.model !== model) continue;
    const key = variantKey(r.policy, r.params);
    if (!templates.has(key)) continue;
    const list = byVariant.get(key);
    if (list) list.push(r);
    else byVariant.set(key, [r]);
  }
  const out: PolicySpec[] = [];
  for (const [key, list] of byVariant) {
    const psnr = meanPsnrByThreshold(list, protocol);
    const thresholds = [...psnr.keys()].sort((a, b) => a - b);
    const passing = thresholds.filter((t) => psnr.get(t)! >= targetPsnr);
    const template = templates.get(key)!;
    if (passing.length === 0) {
      if (thresholds[0] > 0) {
        for (let k = 1; k <= count; k++) out.push({ ...template, threshold: Number((thresholds[0] / 2 ** k).toPrecision(3)) });
      }
      continue;
    }
    const lo = passing[passing.length - 1];
    const hi = thresholds.find((t) => t > lo);
    if (hi === undefined || lo <= 0) continue;
    for (let k = 1; k <= count; k++) {
      const t = Number((lo * Math.pow(hi / lo, k / (count + 1))).toPrecision(3));
      if (t > lo && t < hi && !psnr.has(t)) out.push({ ...template, threshold: t });
    }
  }
  return out;
}

/**
 * Run a sweep of `specs`, then, with a PSNR target, one more sweep of the thresholds `refineSpecs` adds where each
 * variant crosses it (appended to the same file). Returns the rows each pass added and those already there.
 * `run` delivers the runs (default: local worker processes; the CLI passes a queue's).
 */
export async function sweepAndRefine(
  o: Omit<SweepOptions, 'specs'>, specs: PolicySpec[], targetPsnr?: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL,
  run: (o: SweepOptions) => Promise<{ newRows: number; skippedRows: number }> = runSweep,
): Promise<{ newRows: number; skippedRows: number }> {
  const first = await run({ ...o, specs });
  if (targetPsnr === undefined) return first;
  const extra = refineSpecs(specs, readSweepRows(o.out), o.modelName, targetPsnr, 3, protocol);
  process.stderr.write(`refining toward ${targetPsnr} dB (${psnrProtocolLabel(protocol)}): ${extra.length} more setting(s)\n`);
  const refined = extra.length > 0 ? (await run({ ...o, specs: extra })).newRows : 0;
  return { newRows: first.newRows + refined, skippedRows: first.skippedRows };
}
