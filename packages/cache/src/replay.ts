import { FormatError, formatSchedule, mean, type Branch, type Signal, type TraceRow } from '@teacache/core';
import type { CachePolicy, Decision, StepContext } from './policy.js';
import { PolicySession } from './session.js';

/** Options of a replay. */
export interface ReplayOptions {
  /**
   * The trace signal that stands in for the first block's residual when replaying first-block
   * (traces do not record the first block alone). Default: `residual`, the whole stack's residual.
   */
  firstBlockProxy?: Signal;
  /** File name for error messages. */
  file?: string;
}

/** The predicted schedule of one run and guidance branch. */
export interface BranchReplay {
  runId: string;
  branch: Branch;
  steps: number;
  /** Per step, `C` computed or `R` reused. */
  schedule: string;
  computedSteps: number;
  skippedSteps: number;
  /** steps / computedSteps. */
  stepSpeedup: number;
  decisions: Decision[];
  /**
   * True when the policy saw exactly the signals it would see on the recorded trajectory. A live
   * cached run still drifts from that trajectory after its first reuse (see docs).
   */
  exactOnTrace: boolean;
  /** Why the replay is approximate, when it is. */
  notes: string[];
}

interface Group {
  runId: string;
  branch: Branch;
  rows: TraceRow[];
}

/** Rows grouped by run and branch in order of first appearance, steps checked to run 0, 1, 2, ... */
function groupRows(rows: readonly TraceRow[], file: string): Group[] {
  const groups = new Map<string, Group>();
  rows.forEach((r, i) => {
    const key = `${r.runId}\u0000${r.branch}`;
    let g = groups.get(key);
    if (!g) {
      g = { runId: r.runId, branch: r.branch, rows: [] };
      groups.set(key, g);
    }
    if (r.step !== g.rows.length) {
      throw new FormatError({ file, row: i + 1, field: 'step' }, `step ${g.rows.length} of run ${r.runId} (${r.branch})`, r.step);
    }
    g.rows.push(r);
  });
  if (groups.size === 0) throw new FormatError({ file }, 'at least one trace row', 'none');
  return [...groups.values()];
}

/**
 * Relative L1 of a signal at step t against its value at step k < t, estimated from consecutive
 * relL1 values: mean|a_t - a_k| <= Σ_{j=k+1..t} mean|a_j - a_{j-1}| (triangle inequality), and
 * mean|a_j - a_{j-1}| = relL1_j · meanAbs_{j-1}. Exact when k = t - 1, an upper bound otherwise.
 */
function chainedRelL1(rows: readonly TraceRow[], signal: Signal, k: number, t: number): number {
  const meanAbsAt = (j: number): number => {
    const m = rows[j].meanAbs[signal];
    // Traces from other frameworks may leave a signal's columns out; chaining needs its magnitude.
    if (m === null) throw new RangeError(`the trace has no mean_abs_${signal} column, which replaying a reuse with the ${signal} signal needs`);
    return m;
  };
  let diff = 0;
  for (let j = k + 1; j <= t; j++) diff += (rows[j].relL1[signal] ?? 0) * meanAbsAt(j - 1);
  const base = meanAbsAt(k);
  if (base === 0) return diff === 0 ? 0 : Infinity;
  return diff / base;
}

function contextOf(rows: readonly TraceRow[], step: number, lastComputed: number, proxy: Signal | null): StepContext {
  const r = rows[step];
  return {
    step, totalSteps: rows.length, timestep: r.timestep, branch: r.branch,
    indicators: { modulated: r.relL1.modulated, timestep: r.relL1.timestep, noisy: r.relL1.noisy },
    trueOutput: r.relL1.output,
    ...(proxy === null ? {} : { firstBlockResidual: step === 0 ? null : chainedRelL1(rows, proxy, lastComputed, step) }),
  };
}

function notesFor(policy: CachePolicy, group: Group, proxy: Signal): string[] {
  const notes: string[] = [];
  if (policy.needs.includes('firstBlock')) {
    notes.push(`first-block replayed on the "${proxy}" signal as a stand-in for the first block's residual`);
    notes.push('distance to the last computed step estimated by the triangle-inequality bound (exact only after a computed step)');
  }
  // Only a policy that reads signals is affected; one deciding from the step index alone (or calibrated ratios) is not.
  if (group.rows.some((r) => r.computed === 0) && policy.needs.length > 0) {
    notes.push('the trace was recorded with reuse: its signals follow that cached trajectory, not the uncached one');
  }
  return notes;
}

/**
 * Replay a policy over recorded trace rows: for each run and guidance branch, the schedule the
 * policy would take given the recorded per-step signals, with counts and the step-count speedup.
 */
export function replayTrace(rows: readonly TraceRow[], policy: CachePolicy, options: ReplayOptions = {}): BranchReplay[] {
  const file = options.file ?? '<trace>';
  const proxy = options.firstBlockProxy ?? 'residual';
  const needsProxy = policy.needs.includes('firstBlock');
  return groupRows(rows, file).map((group) => {
    const session = new PolicySession(policy);
    const decisions: Decision[] = [];
    let lastComputed = -1;
    for (let step = 0; step < group.rows.length; step++) {
      // As in the live loop, a reuse needs a computed step before it (so lastComputed >= 0 after step 0).
      const d = session.decide(contextOf(group.rows, step, lastComputed, needsProxy ? proxy : null), lastComputed >= 0);
      if (d.compute) lastComputed = step;
      decisions.push(d);
    }
    const computedSteps = decisions.filter((d) => d.compute).length;
    const notes = notesFor(policy, group, proxy);
    return {
      runId: group.runId, branch: group.branch, steps: group.rows.length,
      schedule: decisions.map((d) => (d.compute ? 'C' : 'R')).join(''),
      computedSteps, skippedSteps: group.rows.length - computedSteps,
      stepSpeedup: group.rows.length / computedSteps, decisions,
      exactOnTrace: !needsProxy, notes,
    };
  });
}

/** The schedule a trace actually ran, from its `computed` column, per run and branch. */
export function recordedSchedules(rows: readonly TraceRow[], file = '<trace>'): { runId: string; branch: Branch; schedule: string }[] {
  return groupRows(rows, file).map((g) => ({
    runId: g.runId, branch: g.branch, schedule: g.rows.map((r) => (r.computed ? 'C' : 'R')).join(''),
  }));
}

/** Fraction of steps (0..1) on which two schedules (`C`/`R` strings of equal length) agree. */
export function scheduleAgreement(predicted: string, actual: string): number {
  if (predicted.length !== actual.length) {
    throw new FormatError({ field: 'actual' }, `a schedule of ${predicted.length} steps (as the predicted one)`, actual.length);
  }
  if (predicted.length === 0) throw new FormatError({ field: 'predicted' }, 'a schedule of at least one step', 'an empty string');
  for (const [name, s] of [['predicted', predicted], ['actual', actual]] as const) {
    const bad = s.search(/[^CR]/);
    if (bad >= 0) throw new FormatError({ field: name }, 'only the letters C and R', `"${s[bad]}" at step ${bad}`);
  }
  let same = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === actual[i]) same++;
  return same / predicted.length;
}

/** Per-run figures as a sweep row records them: both branches' schedules joined, counts averaged over branches. */
export interface RunReplaySummary {
  runId: string;
  steps: number;
  schedule: string;
  computedSteps: number;
  skippedSteps: number;
  stepSpeedup: number;
}

/** Combine branch replays into one summary per run (sweep-row fields: schedule, computedSteps, stepSpeedup). */
export function summariseRuns(replays: readonly BranchReplay[]): RunReplaySummary[] {
  const byRun = new Map<string, BranchReplay[]>();
  for (const r of replays) byRun.set(r.runId, [...(byRun.get(r.runId) ?? []), r]);
  return [...byRun.entries()].map(([runId, branches]) => {
    // cond first, as sweep rows write cond/uncond
    const ordered = [...branches].sort((a, b) => (a.branch === b.branch ? 0 : a.branch === 'cond' ? -1 : 1));
    const steps = ordered[0].steps;
    if (ordered.some((b) => b.steps !== steps)) {
      throw new FormatError({ field: 'steps' }, `the same step count in both branches of run ${runId}`, ordered.map((b) => b.steps).join(' vs '));
    }
    const computedSteps = mean(ordered.map((b) => b.computedSteps));
    return {
      runId, steps, schedule: formatSchedule(ordered.map((b) => b.schedule)),
      computedSteps, skippedSteps: steps - computedSteps, stepSpeedup: steps / computedSteps,
    };
  });
}
