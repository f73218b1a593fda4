import { FormatError, isPolicyName, POLICY_NAMES, REFERENCE_POLICY, type SweepRow } from '@teacache/core';

/**
 * Check sweep rows for what the analysis needs: at least one row, known policies, finite numbers (PSNR may be
 * +Infinity: identical outputs), schedules of one letter per step, one step count per model, and for every
 * cached run its reference (the uncached run of the same model, prompt and seed, timed: referenceWallSeconds > 0).
 * Throws a FormatError naming the row and field.
 */
export function checkSweepRows(rows: readonly SweepRow[], file = 'sweep rows'): SweepRow[] {
  if (rows.length === 0) throw new FormatError({ file }, 'at least one sweep row', 'no rows');
  rows.forEach((row, i) => checkSweepRow(row, file, i + 1));
  checkStepCounts(rows, file);
  return [...rows];
}

/** Runs of one model are compared step by step and averaged, so they must share a step count. */
function checkStepCounts(rows: readonly SweepRow[], file: string): void {
  const first = new Map<string, number>();
  rows.forEach((row, i) => {
    const index = first.get(row.model);
    if (index === undefined) { first.set(row.model, i); return; }
    if (rows[index].steps !== row.steps) {
      throw new FormatError({ file, row: i + 1, field: 'steps' },
        `${rows[index].steps} steps, as the first run of model "${row.model}" (row ${index + 1})`, row.steps);
    }
  });
}

/** Check one row's fields (row numbers count from 1); the check across rows is checkSweepRows'. */
export function checkSweepRow(row: SweepRow, file: string, rowNumber: number): void {
  const at = (field: string) => ({ file, row: rowNumber, field });
  if (typeof row.model !== 'string' || row.model === '') throw new FormatError(at('model'), 'a model name', row.model);
  if (!isPolicyName(row.policy)) throw new FormatError(at('policy'), `one of ${POLICY_NAMES.join(', ')}`, row.policy);
  if (row.policy === REFERENCE_POLICY) {
    if (row.threshold !== null) throw new FormatError(at('threshold'), `null for policy "${REFERENCE_POLICY}"`, row.threshold);
  } else if (typeof row.threshold !== 'number' || !Number.isFinite(row.threshold)) {
    throw new FormatError(at('threshold'), `a finite number for policy "${row.policy}"`, row.threshold);
  }
  if (!Number.isInteger(row.steps) || row.steps < 1) throw new FormatError(at('steps'), 'a whole number of steps >= 1', row.steps);
  for (const branch of String(row.schedule).split('/')) {
    if (!/^[CR]*$/.test(branch) || branch.length !== row.steps) {
      throw new FormatError(at('schedule'), `${row.steps} letters C (computed) or R (reused) per guidance branch`, row.schedule);
    }
  }
  if (!(Number.isFinite(row.wallSpeedup) && row.wallSpeedup > 0)) throw new FormatError(at('wallSpeedup'), 'a finite number > 0', row.wallSpeedup);
  if (row.policy === REFERENCE_POLICY) return;
  if (!(Number.isFinite(row.referenceWallSeconds) && row.referenceWallSeconds > 0)) {
    throw new FormatError(at('referenceWallSeconds'),
      `the wall time (s, > 0) of the reference run: the uncached run of model "${row.model}", prompt "${row.prompt}", seed ${row.seed}`,
      row.referenceWallSeconds);
  }
  if (typeof row.psnr !== 'number' || Number.isNaN(row.psnr) || row.psnr === -Infinity) {
    throw new FormatError(at('psnr'), 'a number in dB (Infinity for identical outputs)', row.psnr);
  }
  if (!(Number.isFinite(row.ssim) && row.ssim >= -1 && row.ssim <= 1)) throw new FormatError(at('ssim'), 'a finite number in [-1, 1]', row.ssim);
}

