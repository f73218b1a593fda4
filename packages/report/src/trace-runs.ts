import { FormatError, SIGNALS, type TraceMetadata, type TraceRow, type TraceRun } from '@teacache/core';

/** Trace rows of one or more runs, with the metadata sidecar of each run. */
export interface TraceInput {
  rows: readonly TraceRow[];
  metadata: readonly TraceMetadata[];
}

/** Runs read with core's readTraceDir / readTraceDirs as report input. */
export function traceInputOf(runs: readonly TraceRun[]): TraceInput {
  const rows: TraceRow[] = [];
  // One push per row: spreading a large run into push() overflows the call stack.
  for (const run of runs) for (const row of run.rows) rows.push(row);
  return { rows, metadata: runs.map((r) => r.metadata) };
}

/** One traced run: its metadata and its rows, in file order. */
export interface TracedRun {
  meta: TraceMetadata;
  rows: TraceRow[];
}

const WHERE = 'trace input';

/**
 * Join trace rows to their runs' metadata and check the pairing: every row has metadata, every
 * metadata has rows, run ids are unique, values are finite, and the runs of one model share a step count.
 */
export function joinTraceRuns(input: TraceInput): TracedRun[] {
  if (input.rows.length === 0) throw new FormatError({ file: WHERE }, 'at least one trace row', 'no rows');
  if (input.metadata.length === 0) throw new FormatError({ file: WHERE }, 'the metadata of at least one run', 'none');
  const runs = new Map<string, TracedRun>();
  for (const meta of input.metadata) {
    if (runs.has(meta.runId)) throw new FormatError({ file: WHERE, field: 'runId' }, 'one metadata record per run id', `"${meta.runId}" twice`);
    runs.set(meta.runId, { meta, rows: [] });
  }
  input.rows.forEach((row, index) => {
    const run = runs.get(row.runId);
    if (!run) {
      throw new FormatError({ file: WHERE, row: index + 1, field: 'runId' },
        `a run id with metadata (known: ${[...runs.keys()].join(', ')})`, row.runId);
    }
    for (const signal of SIGNALS) {
      const value = row.relL1[signal];
      if (value !== null && !Number.isFinite(value)) {
        throw new FormatError({ file: WHERE, row: index + 1, field: `relL1.${signal}` }, 'a finite number or null', value);
      }
    }
    run.rows.push(row);
  });
  for (const run of runs.values()) {
    if (run.rows.length === 0) throw new FormatError({ file: WHERE, field: 'runId' }, `trace rows for run "${run.meta.runId}" (it has metadata)`, 'none');
  }
  checkStepCounts([...runs.values()]);
  return [...runs.values()];
}

/** Per-step statistics across runs only make sense when all runs of a model take the same number of steps. */
function checkStepCounts(runs: readonly TracedRun[]): void {
  const firstByModel = new Map<string, TracedRun>();
  for (const run of runs) {
    const first = firstByModel.get(run.meta.model);
    if (!first) { firstByModel.set(run.meta.model, run); continue; }
    if (stepCount(run) !== stepCount(first)) {
      throw new FormatError({ file: WHERE, field: `steps of run "${run.meta.runId}"` },
        `${stepCount(first)} steps, as run "${first.meta.runId}" of the same model "${run.meta.model}"`, stepCount(run));
    }
  }
}

function stepCount(run: TracedRun): number {
  let last = 0;
  for (const r of run.rows) last = Math.max(last, r.step);
  return last + 1;
}
