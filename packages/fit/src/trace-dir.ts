import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  checkTraceAgainstSidecar, FormatError, parseTraceTable, readTraceMetadata, type Signal, type TraceMetadata, type TraceRow,
} from '@teacache/core';

/** One trace CSV with its sidecar, as read from a directory. */
export interface LoadedTrace {
  csvPath: string;
  sidecarPath: string;
  rows: TraceRow[];
  metadata: TraceMetadata;
  /** Signals with a `rel_l1_<signal>` column in this CSV (traces from other frameworks may lack some). */
  signals: Signal[];
  /** SHA-256 of the CSV bytes, recorded in the coefficients file's `sources`. */
  sha256: string;
}

/** The trace CSV files of a directory (sorted by name), each to be read with its `<name>.json` sidecar. */
export function listTraceFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new FormatError({ file: dir }, 'a directory of trace CSV files', 'no such directory');
  }
  const csvs = readdirSync(dir).filter((n) => n.endsWith('.csv')).sort();
  if (csvs.length === 0) throw new FormatError({ file: dir }, 'at least one *.csv trace file', 'none');
  return csvs.map((n) => join(dir, n));
}

/** Read one trace CSV and its sidecar; the rows must belong to the sidecar's run. */
export function loadTrace(csvPath: string): LoadedTrace {
  const sidecarPath = csvPath.replace(/\.csv$/, '.json');
  if (!existsSync(sidecarPath)) {
    throw new FormatError({ file: sidecarPath }, `the JSON sidecar of ${basename(csvPath)}`, 'no such file');
  }
  const metadata = readTraceMetadata(sidecarPath);
  const bytes = readFileSync(csvPath);
  const table = parseTraceTable(bytes.toString('utf8'), csvPath);
  checkTraceAgainstSidecar(table.rows, metadata, csvPath, sidecarPath);
  return { csvPath, sidecarPath, rows: table.rows, metadata, signals: table.relL1Signals, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Read every trace of a directory. All must come from one model and one set of weights: a fit mixing
 * models would be meaningless, so the first odd sidecar is named in the error. A run present twice (the
 * same run id, or the same CSV bytes under two names) is refused: it would count its pairs twice.
 */
export function loadTraceDir(dir: string, onFile?: (path: string) => void): LoadedTrace[] {
  const traces: LoadedTrace[] = [];
  const byRunId = new Map<string, LoadedTrace>();
  const byHash = new Map<string, LoadedTrace>();
  for (const csv of listTraceFiles(dir)) {
    const trace = loadTrace(csv);
    const first = traces[0];
    if (first) {
      for (const field of ['model', 'weightsHash'] as const) {
        if (trace.metadata[field] !== first.metadata[field]) {
          throw new FormatError({ file: trace.sidecarPath, field },
            `${field} "${first.metadata[field]}" like ${basename(first.sidecarPath)} (one model per fit)`, trace.metadata[field]);
        }
      }
    }
    const twin = byRunId.get(trace.metadata.runId) ?? byHash.get(trace.sha256);
    if (twin) {
      throw new FormatError({ file: trace.csvPath, field: 'runId' },
        `a run not already read (its pairs would count twice): ${basename(twin.csvPath)} holds the same run`, trace.metadata.runId);
    }
    byRunId.set(trace.metadata.runId, trace);
    byHash.set(trace.sha256, trace);
    traces.push(trace);
    onFile?.(csv);
  }
  return traces;
}
