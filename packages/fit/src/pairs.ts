import { INDICATORS, type FitTarget, type Indicator, type Signal } from '@teacache/core';
import type { LoadedTrace } from './trace-dir.js';

/** One usable step: the relative L1 change of every signal between this step and the previous one of the same run and branch. */
export interface PairRow {
  runId: string;
  prompt: string;
  branch: string;
  step: number;
  relL1: Record<Signal, number>;
}

/** The usable steps of a set of traces, and why others were left out. */
export interface PairRows {
  rows: PairRow[];
  /** Steps left out because this step or the previous one reused a cached residual (not the model's true change). */
  skippedCached: number;
  runCount: number;
}

/**
 * Collect the steps usable as fit pairs: every row after step 0 (step 0 has no previous step) whose step
 * and previous step were both computed. Rows of both guidance branches count as separate pairs; the
 * prompt comes from the run's sidecar and is the group for cross-validation.
 */
export function collectPairRows(traces: readonly LoadedTrace[]): PairRows {
  const rows: PairRow[] = [];
  let skippedCached = 0;
  for (const trace of traces) {
    const previousComputed = new Map<string, boolean>();
    for (const r of trace.rows) {
      const key = `${r.runId}\u0000${r.branch}`;
      const prev = previousComputed.get(key);
      previousComputed.set(key, r.computed === 1);
      if (r.step === 0) continue;
      if (r.computed !== 1 || prev !== true) { skippedCached++; continue; }
      rows.push({
        runId: r.runId, prompt: trace.metadata.prompt, branch: r.branch, step: r.step,
        relL1: r.relL1 as Record<Signal, number>,
      });
    }
  }
  return { rows, skippedCached, runCount: traces.length };
}

/** The (indicator, target) pairs and their prompt groups, ready to fit. */
export interface Pairs {
  x: number[];
  y: number[];
  groups: string[];
}

/** Project usable steps onto one indicator and one target. */
export function pairsFor(rows: readonly PairRow[], indicator: Indicator, target: FitTarget): Pairs {
  return {
    x: rows.map((r) => r.relL1[indicator]),
    y: rows.map((r) => r.relL1[target]),
    groups: rows.map((r) => r.prompt),
  };
}

/** The indicators a target can be compared with (every indicator but the target itself). */
export function indicatorsFor(target: FitTarget): Indicator[] {
  return INDICATORS.filter((i) => i !== (target as string));
}
