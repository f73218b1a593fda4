import { readSweepRows } from '@teacache/core';
import { DEFAULT_PSNR_PROTOCOL, gridSpecs, psnrProtocolLabel, refineSpecs, type PsnrProtocol, type SweepVariant } from '@teacache/cache';
import { runSweep, type SweepOptions } from './sweep.js';

/**
 * Run a sweep of the grid's `variants`, then, with a PSNR target (dB), one more sweep of the thresholds refineSpecs
 * adds where each variant crosses it (appended to the same file). Returns the rows each pass added and those
 * already there. `run` delivers the runs (default: local worker processes; the CLI passes a queue's).
 */
export async function sweepAndRefine(
  o: Omit<SweepOptions, 'specs'>, variants: readonly SweepVariant[], targetPsnr?: number, protocol: PsnrProtocol = DEFAULT_PSNR_PROTOCOL,
  run: (o: SweepOptions) => Promise<SweepOutcome> = runSweep,
): Promise<SweepOutcome> {
  const first = await run({ ...o, specs: gridSpecs(variants) });
  if (targetPsnr === undefined) return first;
  const extra = gridSpecs(refineSpecs(variants, readSweepRows(o.out), o.modelName, targetPsnr, 3, protocol));
  const log = o.log ?? ((line: string) => process.stderr.write(line + '\n'));
  log(`refining toward ${targetPsnr} dB (${psnrProtocolLabel(protocol)}): ${extra.length} more setting(s)`);
  const refined = extra.length > 0 ? await run({ ...o, specs: extra }) : null;
  return {
    newRows: first.newRows + (refined?.newRows ?? 0), skippedRows: first.skippedRows,
    failedRuns: first.failedRuns + (refined?.failedRuns ?? 0), failuresFile: first.failuresFile,
  };
}

/**
 * What a sweep (and its refinement) added, and how many runs failed and where they are recorded (a queued
 * sweep reports its missing runs itself and counts none here).
 */
export interface SweepOutcome {
  newRows: number;
  skippedRows: number;
  failedRuns: number;
  failuresFile?: string;
}

/** Throw, after the rows are safe, when runs of a sweep failed: the command must not exit 0 on missing rows. */
export function refuseFailedRuns(outcome: SweepOutcome): void {
  if (outcome.failedRuns > 0) {
    throw new Error(`${outcome.failedRuns} run(s) failed and gave no row; see ${outcome.failuresFile} (the next sweep retries them)`);
  }
}
