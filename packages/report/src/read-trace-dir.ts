import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkTraceAgainstSidecar, FormatError, readTraceCsv, readTraceMetadata, type TraceMetadata, type TraceRow } from '@teacache/core';
import type { TraceInput } from './trace-runs.js';

/**
 * Read a directory of traces: every `<name>.csv` with its metadata sidecar `<name>.json`. The rows of a CSV
 * must all carry the run id its sidecar names.
 */
export function readTraceDir(dir: string): TraceInput {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FormatError({ file: dir }, 'a directory of trace CSV files', 'no such directory');
  const csvFiles = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
  if (csvFiles.length === 0) throw new FormatError({ file: dir }, 'at least one *.csv trace file', 'none');
  const rows: TraceRow[] = [];
  const metadata: TraceMetadata[] = [];
  for (const csv of csvFiles) {
    const csvPath = join(dir, csv);
    const sidecar = join(dir, csv.replace(/\.csv$/, '.json'));
    if (!existsSync(sidecar)) throw new FormatError({ file: csvPath }, `a metadata sidecar ${sidecar} beside it`, 'no such file');
    const meta = readTraceMetadata(sidecar);
    const runRows = readTraceCsv(csvPath);
    checkTraceAgainstSidecar(runRows, meta, csvPath, sidecar);
    // One push per row: spreading a large run into push() overflows the call stack.
    for (const row of runRows) rows.push(row);
    metadata.push(meta);
  }
  return { rows, metadata };
}

/**
 * Read several trace directories into one input. Run ids name a prompt and seed, so two models traced on the
 * same prompts share them: where ids repeat across directories, each run id is prefixed with its model.
 */
export function readTraceDirs(dirs: readonly string[]): TraceInput {
  const parts = dirs.map(readTraceDir);
  const ids = parts.flatMap((p) => p.metadata.map((m) => m.runId));
  if (new Set(ids).size === ids.length) return { rows: parts.flatMap((p) => p.rows), metadata: parts.flatMap((p) => p.metadata) };
  return {
    rows: parts.flatMap((p) => {
      const modelOf = new Map(p.metadata.map((m) => [m.runId, m.model] as const));
      return p.rows.map((r) => ({ ...r, runId: `${modelOf.get(r.runId)}/${r.runId}` }));
    }),
    metadata: parts.flatMap((p) => p.metadata.map((m) => ({ ...m, runId: `${m.model}/${m.runId}` }))),
  };
}
