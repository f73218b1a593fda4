import { existsSync, readFileSync } from 'node:fs';
import { FormatError, ProblemList } from './errors.js';
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
  const header = records[0].cells.map((h) => h.trim());
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
  const lastStep = new Map<string, number>();
  for (let li = 1; li < records.length; li++) {
    if (problems.full) { problems.truncated = true; break; }
    const row = parseRow(records[li].cells, li, { file, header, index, relL1Signals, meanAbsSignals, lastStep, problems });
    if (row) rows.push(row);
  }
  if (unterminatedAt !== undefined) problems.add(new FormatError({ file, row: records.length }, 'a closing quote', 'a quoted cell running to the end of the file'));
  problems.throwIfAny();
  return { rows, relL1Signals, meanAbsSignals, hasPrompt: index.has('prompt'), hasSeed: index.has('seed') };
}

interface RowContext {
  file: string;
  header: string[];
  index: Map<string, number>;
  relL1Signals: readonly Signal[];
  meanAbsSignals: readonly Signal[];
  lastStep: Map<string, number>;
  problems: ProblemList;
}

/** One data row; null (with its problems recorded) when it is bad. */
function parseRow(cells: string[], row: number, c: RowContext): TraceRow | null {
  const { file, problems } = c;
  const before = problems.items.length;
  const bad = (field: string | undefined, expected: string, found?: unknown) => problems.add(new FormatError({ file, row, field }, expected, found));
  if (cells.length !== c.header.length) { bad(undefined, `${c.header.length} cells`, cells.length); return null; }
  const get = (col: string) => cells[c.index.get(col)!].trim();
  const number = (col: string, text = get(col)): number => {
    const x = parseDecimal(text);
    if (x === null) { bad(col, text === '' ? 'a number' : 'a number in decimal notation', text === '' ? 'an empty cell' : text); return NaN; }
    if (!Number.isFinite(x)) { bad(col, 'a finite number', text); return NaN; }
    return x;
  };
  const nonNegative = (col: string, text: string): number => {
    const x = number(col, text);
    if (x < 0) bad(col, 'a value >= 0', text);
    return x;
  };

  const runId = get('run_id');
  if (runId === '') bad('run_id', 'a run id', 'an empty cell');
  const step = parseWholeNumber(get('step'));
  if (step === null) bad('step', 'a whole number >= 0', get('step'));
  const branch = get('branch');
  if (!(BRANCHES as readonly string[]).includes(branch)) bad('branch', `one of ${BRANCHES.join(', ')}`, branch);
  if (step !== null && (BRANCHES as readonly string[]).includes(branch)) {
    const key = `${runId}\u0000${branch}`;
    const expected = (c.lastStep.get(key) ?? -1) + 1;
    if (step !== expected) bad('step', `step ${expected} (steps in order, per run and branch)`, step);
    c.lastStep.set(key, step);
  }
  const computedText = c.index.has('computed') ? get('computed').toLowerCase() : '1';
  const computed = COMPUTED[computedText];
  if (computed === undefined) bad('computed', '0, 1, true or false', get('computed'));
  const timestep = number('timestep');
  let seed: number | undefined;
  if (c.index.has('seed')) {
    const s = parseWholeNumber(get('seed'));
    if (s === null) bad('seed', 'a whole number >= 0 (at most 2^53 - 1)', get('seed'));
    else seed = s;
  }
  const relL1 = Object.fromEntries(SIGNALS.map((s) => [s, null])) as Record<Signal, number | null>;
  const meanAbs = Object.fromEntries(SIGNALS.map((s) => [s, null])) as Record<Signal, number | null>;
  for (const s of c.relL1Signals) {
    const col = `rel_l1_${s}`;
    const text = get(col);
    if (step === 0) {
      if (!NO_PREVIOUS.has(text)) bad(col, 'an empty cell or nan at step 0 (no previous step)', text);
    } else {
      relL1[s] = nonNegative(col, text);
    }
  }
  for (const s of c.meanAbsSignals) meanAbs[s] = nonNegative(`mean_abs_${s}`, get(`mean_abs_${s}`));
  if (problems.items.length > before || problems.truncated) return null;
  const out: TraceRow = { runId, step: step!, timestep, branch: branch as Branch, computed: computed!, relL1, meanAbs };
  if (c.index.has('prompt')) out.prompt = cells[c.index.get('prompt')!];
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
