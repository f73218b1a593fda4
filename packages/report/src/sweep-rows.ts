import { FormatError, readSweepRows, type SweepRow } from '@teacache/core';
import { checkSweepRow } from '@teacache/cache';

/**
 * Read a sweep file (JSON Lines) and check each row's fields the report uses. The one place the report
 * reads sweeps: it delegates the format to core's readSweepRows and the row check to cache's checkSweepRow.
 * The check across runs (one step count per model) waits for all files to be read: a sweep may span several.
 */
export function readSweepFile(path: string): SweepRow[] {
  const rows = readSweepRows(path);
  if (rows.length === 0) throw new FormatError({ file: path }, 'at least one sweep row', 'an empty file');
  rows.forEach((row, i) => checkSweepRow(row, path, i + 1));
  return rows;
}
