import { basename } from 'node:path';
import { FormatError, INDICATORS, type FitTarget, type Indicator, type Signal, type TraceRun } from '@teacache/core';

/** One usable step: the relative L1 change of every signal between this step and the previous one of the same run and branch. */
export interface PairRow {
  runId: string;
  prompt: string;
  branch: string;
  step: number;
  /** Where the step was read: the CSV and its data row (1-based), for errors. */
  file: string;
  row: number;
  /** null for a signal the run's trace has no column for. */
  relL1: Record<Signal, number | null>;
}

/** The usable steps of a set of traces, and why others were left out. */
export interface PairRows {
  rows: PairRow[];
  /** Steps left out because this step or the previous one reused a cached residual (not the model's true change). */
  skippedCached: number;
  runCount: number;
}

/**
 * Refuse traces of more than one model or set of weights: a fit mixing models would be meaningless, so the
 * first odd sidecar is named.
 */
export function checkOneModel(traces: readonly TraceRun[]): void {
  const first = traces[0];
  for (const trace of traces.slice(1)) {
    for (const field of ['model', 'weightsHash'] as const) {
      if (trace.metadata[field] !== first.metadata[field]) {
        throw new FormatError({ file: trace.sidecarPath, field },
          `${field} "${first.metadata[field]}" like ${basename(first.sidecarPath)} (one model per fit)`, trace.metadata[field]);
      }
    }
  }
}

/**
 * Collect the steps usable as fit pairs from the runs of one model (checkOneModel): every row after step 0
 * (step 0 has no previous step) whose step and previous step were both computed. Rows of both guidance
 * branches count as separate pairs; the prompt comes from the run's sidecar and is the group for cross-validation.
 */
export function collectPairRows(traces: readonly TraceRun[]): PairRows {
  checkOneModel(traces);
  const rows: PairRow[] = [];
  let skippedCached = 0;
  for (const trace of traces) {
    const previousComputed = new Map<string, boolean>();
    trace.rows.forEach((r, index) => {
      const key = `${r.runId}\u0000${r.branch}`;
      const prev = previousComputed.get(key);
      previousComputed.set(key, r.computed === 1);
      if (r.step === 0) return;
      if (r.computed !== 1 || prev !== true) { skippedCached++; return; }
      rows.push({
        runId: r.runId, prompt: trace.metadata.prompt, branch: r.branch, step: r.step, file: trace.csvPath, row: index + 1,
        relL1: r.relL1,
      });
    });
  }
  return { rows, skippedCached, runCount: traces.length };
}

/**
 * Largest relative L1 a fit accepts. A signal that grows 10^6-fold in one step is a diverged run, and one
 * such value squeezes every other pair onto one point of the fit's scaled axis.
 */
export const MAX_FIT_REL_L1 = 1e6;

/**
 * Refuse, naming file, row and column, a trace that lacks the indicator or target column, or a step whose
 * value is beyond MAX_FIT_REL_L1.
 */
export function checkPairValues(traces: readonly TraceRun[], rows: readonly PairRow[], indicator: Indicator, target: FitTarget): void {
  for (const t of traces) {
    for (const s of [indicator, target] as const) {
      if (!t.signals.includes(s)) {
        throw new FormatError({ file: t.csvPath, row: 0, field: `rel_l1_${s}` }, `a column rel_l1_${s} (the fit's ${s === indicator ? 'indicator' : 'target'})`, 'none');
      }
    }
  }
  for (const r of rows) {
    for (const s of [indicator, target] as const) {
      const v = r.relL1[s];
      if (v !== null && v > MAX_FIT_REL_L1) {
        throw new FormatError({ file: r.file, row: r.row, field: `rel_l1_${s}` }, `a relative L1 at most ${MAX_FIT_REL_L1} (larger means a diverged run)`, v);
      }
    }
  }
}

/** The (indicator, target) pairs and their prompt groups, ready to fit. */
export interface Pairs {
  x: number[];
  y: number[];
  groups: string[];
}

/** Project usable steps onto one indicator and one target; steps whose trace lacks either signal are left out. */
export function pairsFor(rows: readonly PairRow[], indicator: Indicator, target: FitTarget): Pairs {
  const x: number[] = [];
  const y: number[] = [];
  const groups: string[] = [];
  for (const r of rows) {
    const a = r.relL1[indicator];
    const b = r.relL1[target];
    if (a === null || b === null) continue;
    x.push(a);
    y.push(b);
    groups.push(r.prompt);
  }
  return { x, y, groups };
}

/** The indicators a target can be compared with (every indicator but the target itself). */
export function indicatorsFor(target: FitTarget): Indicator[] {
  return INDICATORS.filter((i) => i !== (target as string));
}
