import { existsSync, readFileSync } from 'node:fs';
import { FormatError, ProblemList } from './errors.js';
import { MAX_SEED, SEED_RANGE } from './seed.js';
import { parseDecimal, parseWholeNumber } from './decimal.js';
import { splitCsv } from './trace-format-csv.js';
import { BRANCHES, REQUIRED_TRACE_COLUMNS, SIGNALS, TRACE_COLUMNS, type Branch, type Signal, type TraceRow } from './trace-format-columns.js';

/** A parsed trace CSV: its rows and which optional columns it has. */
export interface TraceTable {
  rows: TraceRow[];
  /** Signals with a `rel_l1_<signal>` column. */
  relL1Signals: Signal[];
  /** Signals with a `mean_abs_<signal>` column. */
  meanAbsSignals: Signal[];
  hasPrompt: boolean;
  hasSeed: boolean;
}

const COMPUTED: Record<string, 0 | 1> = { '0': 0, '1': 1, true: 1, false: 0 };
/** What step 0 may hold in a relative-L1 column: nothing, or NaN as numpy and pandas write it. */
const NO_PREVIOUS = new Set(['', 'nan', 'NaN', 'NAN']);

/**
 * Parse and validate trace CSV text, reporting every problem of the file at once (up to 20). Rows are
 * numbered from 1 after the header (row 1 is line 2 of the file). Steps start at 0 and increase by one per
 * run and branch. Signal columns are optional; at least one `rel_l1_*` column is required.
 */
export function parseTraceTable(text: string, file = '<trace>'): TraceTable {
  const problems = new ProblemList(file);
  const { records, unterminatedAt } = splitCsv(text);
  if (records.length === 0) throw new FormatError({ file }, `a header line with columns ${REQUIRED_TRACE_COLUMNS.join(',')} and rel_l1_<signal> columns`, 'an empty file');
  const header = records[0].map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (index.has(h)) problems.add(new FormatError({ file, row: 0, field: h }, 'each column once in the header', `"${h}" twice`));
    index.set(h, i);
  });
  for (const col of REQUIRED_TRACE_COLUMNS) {
    if (!index.has(col)) problems.add(new FormatError({ file, row: 0, field: col }, `column "${col}" in the header`, 'it missing'));
  }
  const relL1Signals = SIGNALS.filter((s) => index.has(`rel_l1_${s}`));
  const meanAbsSignals = SIGNALS.filter((s) => index.has(`mean_abs_${s}`));
  if (relL1Signals.length === 0) {
    problems.add(new FormatError({ file, row: 0 }, `at least one of the columns ${SIGNALS.map((s) => `rel_l1_${s}`).join(', ')}`, 'none'));
  }
  problems.throwIfAny();
  if (records.length === 1) throw new FormatError({ file }, 'at least one data row after the header', 'a header only');

  const rows: TraceRow[] = [];
  const context = contextOf(file, header, index, relL1Signals, meanAbsSignals, problems);
  for (let li = 1; li < records.length; li++) {
    if (problems.full) { problems.truncated = true; break; }
    const row = parseRow(records[li], li, context);
    if (row) rows.push(row);
  }
  if (unterminatedAt !== undefined) problems.add(new FormatError({ file, row: unterminatedAt }, 'a closing quote', 'a quoted cell running to the end of the file'));
  problems.throwIfAny();
  return { rows, relL1Signals, meanAbsSignals, hasPrompt: index.has('prompt'), hasSeed: index.has('seed') };
}

interface RowContext {
  file: string;
  width: number;
  /** Column positions, found once per file: a million-row trace must not pay for name lookups per cell. */
  at: { runId: number; step: number; branch: number; timestep: number; computed: number; prompt: number; seed: number };
  rel: readonly [Signal, number][];
  abs: readonly [Signal, number][];
  lastStep: Map<string, number>;
  problems: ProblemList;
}

function contextOf(file: string, header: string[], index: Map<string, number>, relL1Signals: readonly Signal[], meanAbsSignals: readonly Signal[], problems: ProblemList): RowContext {
  const pos = (name: string) => index.get(name) ?? -1;
  return {
    file, width: header.length, problems, lastStep: new Map(),
    at: { runId: pos('run_id'), step: pos('step'), branch: pos('branch'), timestep: pos('timestep'), computed: pos('computed'), prompt: pos('prompt'), seed: pos('seed') },
    rel: relL1Signals.map((s) => [s, pos(`rel_l1_${s}`)] as [Signal, number]),
    abs: meanAbsSignals.map((s) => [s, pos(`mean_abs_${s}`)] as [Signal, number]),
  };
}

/** A decimal number cell; NaN (with the problem recorded) when it is not one. */
function numberCell(text: string, c: RowContext, row: number, field: string, nonNegative: boolean): number {
  const x = parseDecimal(text);
  if (x === null) {
    c.problems.add(new FormatError({ file: c.file, row, field }, text === '' ? 'a number' : 'a number in decimal notation', text === '' ? 'an empty cell' : text));
    return NaN;
  }
  if (!Number.isFinite(x)) { c.problems.add(new FormatError({ file: c.file, row, field }, 'a finite number', text)); return NaN; }
  if (nonNegative && x < 0) c.problems.add(new FormatError({ file: c.file, row, field }, 'a value >= 0', text));
  return x;
}

/** One data row; null (with its problems recorded) when it is bad. */
function parseRow(cells: string[], row: number, c: RowContext): TraceRow | null {
  const { file, problems, at } = c;
  const before = problems.items.length;
  const bad = (field: string | undefined, expected: string, found?: unknown) => problems.add(new FormatError({ file, row, field }, expected, found));
  if (cells.length !== c.width) { bad(undefined, `${c.width} cells`, cells.length); return null; }
  const runId = cells[at.runId].trim();
  if (runId === '') bad('run_id', 'a run id', 'an empty cell');
  const stepText = cells[at.step].trim();
  const step = parseWholeNumber(stepText);
  if (step === null) bad('step', 'a whole number >= 0', stepText);
  const branch = cells[at.branch].trim();
  const branchOk = branch === 'cond' || branch === 'uncond';
  if (!branchOk) bad('branch', `one of ${BRANCHES.join(', ')}`, branch);
  if (step !== null && branchOk) {
    const key = `${runId}\u0000${branch}`;
    const expected = (c.lastStep.get(key) ?? -1) + 1;
    if (step !== expected) bad('step', `step ${expected} (steps in order, per run and branch)`, step);
    c.lastStep.set(key, step);
  }
  const computedText = at.computed >= 0 ? cells[at.computed].trim() : '1';
  const computed = COMPUTED[computedText] ?? COMPUTED[computedText.toLowerCase()];
  if (computed === undefined) bad('computed', '0, 1, true or false', computedText);
  const timestep = numberCell(cells[at.timestep].trim(), c, row, 'timestep', false);
  let seed: number | undefined;
  if (at.seed >= 0) {
    const seedText = cells[at.seed].trim();
    const s = parseWholeNumber(seedText);
    if (s === null || s > MAX_SEED) bad('seed', SEED_RANGE, seedText);
    else seed = s;
  }
  const relL1: Record<Signal, number | null> = { noisy: null, timestep: null, modulated: null, residual: null, output: null };
  const meanAbs: Record<Signal, number | null> = { noisy: null, timestep: null, modulated: null, residual: null, output: null };
  for (const [s, i] of c.rel) {
    const text = cells[i].trim();
    if (step === 0) {
      if (!NO_PREVIOUS.has(text)) bad(`rel_l1_${s}`, 'an empty cell or nan at step 0 (no previous step)', text);
    } else {
      relL1[s] = numberCell(text, c, row, `rel_l1_${s}`, true);
    }
  }
  for (const [s, i] of c.abs) meanAbs[s] = numberCell(cells[i].trim(), c, row, `mean_abs_${s}`, true);
  if (problems.items.length > before || problems.truncated) return null;
  const out: TraceRow = { runId, step: step!, timestep, branch: branch as Branch, computed: computed!, relL1, meanAbs };
  if (at.prompt >= 0) out.prompt = cells[at.prompt];
  if (seed !== undefined) out.seed = seed;
  return out;
}

/** Parse and validate trace CSV text (rows only; parseTraceTable also says which columns it has). */
export function parseTraceCsv(text: string, file = '<trace>'): TraceRow[] {
  return parseTraceTable(text, file).rows;
}

/** Read and validate a trace CSV file with its column information. */
export function readTraceTable(path: string): TraceTable {
  if (!existsSync(path)) throw new FormatError({ file: path }, 'an existing trace CSV file', 'no such file');
  return parseTraceTable(readFileSync(path, 'utf8'), path);
}

/** The columns a reader understands, for messages. */
export const KNOWN_TRACE_COLUMNS = TRACE_COLUMNS;
