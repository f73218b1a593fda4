import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FormatError } from './errors.js';
import type { Signal, TraceRow } from './trace-format-columns.js';
import { parseTraceTable } from './trace-format-read.js';
import { checkTraceAgainstSidecar } from './trace-format-run.js';
import { readTraceMetadata, type TraceMetadata } from './trace-format.js';

/** One traced run as read from a directory: a trace CSV with its `<name>.json` sidecar. */
export interface TraceRun {
  csvPath: string;
  sidecarPath: string;
  metadata: TraceMetadata;
  rows: TraceRow[];
  /** Signals with a `rel_l1_<signal>` column in this CSV (traces from other frameworks may lack some). */
  signals: Signal[];
  /** SHA-256 (hex) of the CSV bytes, recorded in a coefficients file's `sources`. */
  sha256: string;
}

/** The trace CSV files of a directory, sorted by name; each is read with its `<name>.json` sidecar. */
export function listTraceFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new FormatError({ file: dir }, 'a directory of trace CSV files', 'no such directory');
  }
  const csvs = readdirSync(dir).filter((n) => n.endsWith('.csv')).sort();
  if (csvs.length === 0) throw new FormatError({ file: dir }, 'at least one *.csv trace file', 'none');
  return csvs.map((n) => join(dir, n));
}

/** Read one trace CSV and its sidecar; the rows must be the sidecar's run (run id, prompt, seed, step count). */
export function readTraceRun(csvPath: string): TraceRun {
  const sidecarPath = csvPath.replace(/\.csv$/, '.json');
  if (!existsSync(sidecarPath)) {
    throw new FormatError({ file: sidecarPath }, `the JSON sidecar of ${basename(csvPath)} beside it`, 'no such file');
  }
  const metadata = readTraceMetadata(sidecarPath);
  const bytes = readFileSync(csvPath);
  const table = parseTraceTable(bytes.toString('utf8'), csvPath);
  checkTraceAgainstSidecar(table.rows, metadata, csvPath, sidecarPath);
  return { csvPath, sidecarPath, metadata, rows: table.rows, signals: table.relL1Signals, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Read every trace of a directory (the one reader of trace directories). A run present twice (the same run id,
 * or the same CSV bytes under two names) is refused: every table, chart and fit would count it twice.
 * `onFile` is called after each file, for progress.
 */
export function readTraceDir(dir: string, onFile?: (csvPath: string) => void): TraceRun[] {
  const runs: TraceRun[] = [];
  const byRunId = new Map<string, TraceRun>();
  const byHash = new Map<string, TraceRun>();
  for (const csv of listTraceFiles(dir)) {
    const run = readTraceRun(csv);
    const twin = byRunId.get(run.metadata.runId) ?? byHash.get(run.sha256);
    if (twin) {
      throw new FormatError({ file: run.csvPath, field: 'runId' },
        `a run not already read (it would count twice): ${basename(twin.csvPath)} holds the same run`, run.metadata.runId);
    }
    byRunId.set(run.metadata.runId, run);
    byHash.set(run.sha256, run);
    runs.push(run);
    onFile?.(csv);
  }
  return runs;
}

/**
 * Read several trace directories. Run ids name a prompt and seed, so two models traced on the same prompts share
 * them: where ids repeat across directories, each run id (in metadata and rows) is prefixed with its model.
 */
export function readTraceDirs(dirs: readonly string[], onFile?: (csvPath: string) => void): TraceRun[] {
  const runs = dirs.flatMap((dir) => readTraceDir(dir, onFile));
  const ids = runs.map((r) => r.metadata.runId);
  if (new Set(ids).size === ids.length) return runs;
  const seen = new Map<string, TraceRun>();
  return runs.map((run) => {
    const runId = `${run.metadata.model}/${run.metadata.runId}`;
    const twin = seen.get(runId);
    if (twin) {
      throw new FormatError({ file: run.csvPath, field: 'runId' },
        `a run not already read (it would count twice): ${twin.csvPath} holds the same model and run`, run.metadata.runId);
    }
    const renamed = { ...run, metadata: { ...run.metadata, runId }, rows: run.rows.map((r) => ({ ...r, runId })) };
    seen.set(runId, renamed);
    return renamed;
  });
}
