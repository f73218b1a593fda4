import { basename } from 'node:path';
import { FormatError, FormatProblems, MAX_LISTED_PROBLEMS } from './errors.js';
import type { TraceRow } from './trace-format-columns.js';
import type { TraceMetadata } from './trace-format.js';

/**
 * Check a CSV's rows against its sidecar: one run id, the sidecar's prompt and seed where the CSV carries
 * them, and `steps` rows per guidance branch. Every problem found is reported at once.
 */
export function checkTraceAgainstSidecar(rows: readonly TraceRow[], metadata: TraceMetadata, csvPath: string, sidecarPath: string): void {
  const problems: FormatError[] = [];
  const side = basename(sidecarPath);
  const at = (i: number, field: string, expected: string, found: unknown) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(new FormatError({ file: csvPath, row: i + 1, field }, expected, found));
  };
  const stepsByBranch = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.runId !== metadata.runId) at(i, 'run_id', `run id "${metadata.runId}" (from ${side})`, r.runId);
    if (r.prompt !== undefined && r.prompt !== metadata.prompt) at(i, 'prompt', `the prompt of ${side}, ${JSON.stringify(metadata.prompt)}`, r.prompt);
    if (r.seed !== undefined && r.seed !== metadata.seed) at(i, 'seed', `the seed of ${side}, ${metadata.seed}`, r.seed);
    stepsByBranch.set(r.branch, r.step + 1);
  });
  for (const [branch, count] of stepsByBranch) {
    if (count !== metadata.steps) {
      problems.push(new FormatError({ file: csvPath, field: 'step' },
        `${metadata.steps} steps in branch ${branch}, as ${side} says ("steps": ${metadata.steps})`, `${count}`));
    }
  }
  if (problems.length > 0) throw new FormatProblems(csvPath, problems, problems.length >= MAX_LISTED_PROBLEMS);
}

