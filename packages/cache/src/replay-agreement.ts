import { mean, scheduleBranches, sweepRowKey, type SweepRow, type TraceRun } from '@teacache/core';
import { createPolicy } from './create-policy.js';
import { describePolicy, type PolicyDescription } from './describe-policy.js';
import type { PolicySpec } from './policy-spec.js';
import { replayTrace, scheduleAgreement, summariseRuns } from './replay.js';

/** One recorded, fully computed run (as core's trace reader returns it): its trace file, its sidecar and its rows. */
export type RecordedRun = Pick<TraceRun, 'csvPath' | 'metadata' | 'rows'>;

/** How one policy setting replays over recorded runs, and how its predictions agree with real cached runs. */
export interface ReplayAgreement {
  spec: PolicySpec;
  description: PolicyDescription;
  /** Recorded runs replayed. */
  runs: number;
  /** Mean over the runs of the predicted step-count speedup (×). */
  predictedStepSpeedup: number;
  /** Step agreement (0..1) of each run found in the sweep rows (same model, policy and params, prompt, seed, steps). */
  agreements: number[];
  /** True when every replay is exact on the trace (no proxy signal stood in for one the trace lacks). */
  exact: boolean;
}

/**
 * Replay each spec over the recorded runs and compare every predicted schedule with the real cached run of the
 * same setting in `sweep`, step by step (a guidance branch missing on one side is compared with the other's last).
 */
export function replayAgreement(runs: readonly RecordedRun[], specs: readonly PolicySpec[], sweep: readonly SweepRow[]): ReplayAgreement[] {
  if (runs.length === 0) throw new RangeError('replayAgreement: no recorded runs to replay');
  const byKey = new Map(sweep.map((r) => [sweepRowKey(r), r] as const));
  return specs.map((spec) => {
    const description = describePolicy(spec);
    const speedups: number[] = [];
    const agreements: number[] = [];
    let exact = true;
    for (const run of runs) {
      const replays = replayTrace(run.rows, createPolicy(spec), { file: run.csvPath });
      exact &&= replays.every((r) => r.exactOnTrace);
      const [summary] = summariseRuns(replays);
      speedups.push(summary.stepSpeedup);
      const { model, prompt, seed, steps } = run.metadata;
      const actual = byKey.get(sweepRowKey({ model, policy: description.policy, params: description.params, prompt, seed, steps }));
      if (actual) {
        const p = scheduleBranches(summary.schedule);
        const a = scheduleBranches(actual.schedule);
        const n = Math.max(p.length, a.length);
        const agree = Array.from({ length: n }, (_, i) => scheduleAgreement(p[Math.min(i, p.length - 1)], a[Math.min(i, a.length - 1)]));
        agreements.push(mean(agree));
      }
    }
    return { spec, description, runs: runs.length, predictedStepSpeedup: mean(speedups), agreements, exact };
  });
}
