import { checkSeed } from './seed.js';
import { csvField } from './trace-format-csv.js';
import { SIGNALS, type Signal, type TraceRow } from './trace-format-columns.js';

/** The run a trace CSV belongs to; written as the `prompt` and `seed` columns so traces concatenate into one table. */
export interface TraceRunInfo {
  prompt: string;
  seed: number;
}

/** Format a number for CSV: shortest round-trip form, so the same run gives the same bytes. */
function cell(x: number | null, r: TraceRow, column: string): string {
  if (x === null) return '';
  if (!Number.isFinite(x)) {
    throw new RangeError(`trace value is not finite: ${x} at run "${r.runId}", step ${r.step}, branch ${r.branch}, column ${column}`);
  }
  return String(x);
}

/**
 * Serialise trace rows to CSV text (header plus one line per row). With `run`, every row carries the prompt
 * and seed. A signal column is left out when no row has a value for it.
 */
export function traceToCsv(rows: readonly TraceRow[], run?: TraceRunInfo): string {
  const rel = SIGNALS.filter((s) => rows.length === 0 || rows.some((r) => r.relL1[s] !== null || (r.step === 0 && r.meanAbs[s] !== null)));
  const abs = SIGNALS.filter((s) => rows.length === 0 || rows.some((r) => r.meanAbs[s] !== null));
  const header = ['run_id', ...(run ? ['prompt', 'seed'] : []), 'step', 'timestep', 'branch', 'computed',
    ...rel.map((s) => `rel_l1_${s}`), ...abs.map((s) => `mean_abs_${s}`)];
  if (run) checkSeed(run.seed);
  const lines = [header.join(',')];
  for (const r of rows) {
    if (/[",\r\n]/.test(r.runId)) throw new RangeError(`run id must not contain commas, quotes or newlines: ${r.runId}`);
    lines.push([
      r.runId, ...(run ? [csvField(run.prompt), String(run.seed)] : []), String(r.step), cell(r.timestep, r, 'timestep'), r.branch, String(r.computed),
      ...rel.map((s: Signal) => cell(r.relL1[s], r, `rel_l1_${s}`)),
      ...abs.map((s: Signal) => cell(r.meanAbs[s], r, `mean_abs_${s}`)),
    ].join(','));
  }
  return lines.join('\n') + '\n';
}
