import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSweepRows, sweepRowKey, type SweepRow } from '@teacache/core';
import { checkResumable, sweepGroups, type SweepOptions } from '@teacache/trace';
import { sha256OfFile, WEIGHTS_FILE } from '@teacache/models';
import { runKeyOf, runsOf, type RunJob } from './jobs.js';

/** What a sweep still has to run, given the rows already in its file. */
export interface SweepPlan {
  weightsHash: string;
  /** Keys of the rows already in the file. */
  done: Set<string>;
  /** Runs of the sweep in total. */
  total: number;
  /** Runs not in the file yet, in group order. */
  runs: RunJob[];
}

/** Plan a sweep as the local one does: the same groups, the same resume check, the same keys. */
export function planSweep(o: Omit<SweepOptions, 'workers'>, log: (line: string) => void): SweepPlan {
  const existing: SweepRow[] = existsSync(o.out) ? readSweepRows(o.out, { onWarning: (w) => log(`warning: ${w}`) }) : [];
  const weightsHash = sha256OfFile(join(o.modelDir, WEIGHTS_FILE));
  checkResumable(existing, o.out, o.modelName, weightsHash, o.guidance);
  const done = new Set(existing.map(sweepRowKey));
  const all = runsOf(sweepGroups(o, weightsHash));
  return { weightsHash, done, total: all.length, runs: all.filter((r) => !done.has(runKeyOf(r))) };
}
