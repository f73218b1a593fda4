import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, readTraceDir } from '@teacache/core';
import { checkPairValues, collectPairRows, pairsFor } from './pairs.js';
import { writeSyntheticTraces } from './synthetic-traces.js';

const root = mkdtempSync(join(tmpdir(), 'trace-dir-'));
let n = 0;
function freshDir(options: Partial<Parameters<typeof writeSyntheticTraces>[0]> = {}): string {
  const dir = join(root, `t${n++}`);
  writeSyntheticTraces({ dir, prompts: ['a cat', 'a dog'], steps: 6, ...options });
  return dir;
}

function formatError(fn: () => unknown): FormatError {
  try { fn(); } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

/** Rewrite one cell (by column name) of one data row of a CSV. */
function editCell(path: string, row: number, column: string, value: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  const col = lines[0].split(',').indexOf(column);
  const cells = lines[row].split(',');
  cells[col] = value;
  lines[row] = cells.join(',');
  writeFileSync(path, lines.join('\n'));
}

/** Remove one column of a CSV whose cells hold no commas. */
function dropColumn(path: string, column: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  const drop = lines[0].split(',').indexOf(column);
  writeFileSync(path, lines.map((l) => (l === '' ? l : l.split(',').filter((_, i) => i !== drop).join(','))).join('\n'));
}

describe('pairs from a trace directory', () => {
  test('pairs exclude step 0 and count both guidance branches', () => {
    const dir = freshDir();
    const traces = readTraceDir(dir);
    const pairs = collectPairRows(traces);
    // 2 runs x 5 steps after step 0 x 2 branches
    expect(pairs.rows).toHaveLength(20);
    expect(pairs.rows.every((r) => r.step > 0)).toBe(true);
    expect(new Set(pairs.rows.map((r) => r.branch))).toEqual(new Set(['cond', 'uncond']));
    expect(pairsFor(pairs.rows, 'modulated', 'output').groups).toContain('a dog');
    expect(traces[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('steps that reused a cache, and the steps right after them, are left out and counted', () => {
    const dir = freshDir({ reusedSteps: [3] });
    const pairs = collectPairRows(readTraceDir(dir));
    // per run and branch: step 3 (reused) and step 4 (its previous step was not computed) leave
    expect(pairs.rows).toHaveLength(20 - 2 * 2 * 2);
    expect(pairs.skippedCached).toBe(8);
  });

  test('a trace of another model is refused by the fit, naming its sidecar', () => {
    const dir = freshDir();
    const sidecar = join(dir, 'run-p1-s0.json');
    writeFileSync(sidecar, JSON.stringify({ ...JSON.parse(readFileSync(sidecar, 'utf8')), model: 'latte-s' }));
    const traces = readTraceDir(dir); // a directory may hold several models (the report reads them); a fit may not
    const e = formatError(() => collectPairRows(traces));
    expect(e).toMatchObject({ file: sidecar, field: 'model' });
    expect(e.message).toContain('latte-s');
    expect(e.message).toContain('run-p0-s0.json');
  });

  test('a trace of other weights is refused by the fit, naming its sidecar', () => {
    const dir = freshDir();
    const sidecar = join(dir, 'run-p1-s0.json');
    writeFileSync(sidecar, JSON.stringify({ ...JSON.parse(readFileSync(sidecar, 'utf8')), weightsHash: 'other' }));
    const e = formatError(() => collectPairRows(readTraceDir(dir)));
    expect(e).toMatchObject({ file: sidecar, field: 'weightsHash' });
  });

  test('a trace without its sidecar is refused, naming the missing file', () => {
    const dir = freshDir();
    rmSync(join(dir, 'run-p0-s0.json'));
    expect(formatError(() => readTraceDir(dir)).file).toBe(join(dir, 'run-p0-s0.json'));
  });

  test('rows of another run than the sidecar says are refused', () => {
    const dir = freshDir();
    editCell(join(dir, 'run-p0-s0.csv'), 3, 'run_id', 'run-p0-s0');
    const sidecar = join(dir, 'run-p0-s0.json');
    writeFileSync(sidecar, JSON.stringify({ ...JSON.parse(readFileSync(sidecar, 'utf8')), runId: 'elsewhere' }));
    expect(formatError(() => readTraceDir(dir)).message).toMatch(/run-p0-s0\.csv, row 1, field "run_id": expected run id "elsewhere"/);
  });

  test('a directory that does not exist, or holds no traces, is named', () => {
    expect(formatError(() => readTraceDir(join(root, 'nope'))).found).toContain('no such directory');
    const empty = mkdtempSync(join(root, 'empty-'));
    expect(formatError(() => readTraceDir(empty)).expected).toContain('*.csv');
  });
});

describe('malformed traces give errors naming file, row and field', () => {
  test('a missing target column is refused by the fit, naming the file and the column', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p1-s0.csv');
    dropColumn(csv, 'rel_l1_output');
    const traces = readTraceDir(dir);
    const e = formatError(() => checkPairValues(traces, collectPairRows(traces).rows, 'modulated', 'output'));
    expect(e).toMatchObject({ file: csv, row: 0, field: 'rel_l1_output' });
    expect(e.message).toMatch(/expected a column rel_l1_output \(the fit's target\)/);
  });

  test('a trace with only the indicator and output columns is enough for a fit', () => {
    const dir = freshDir();
    for (const f of ['run-p0-s0.csv', 'run-p1-s0.csv']) {
      for (const s of ['noisy', 'timestep', 'residual']) { dropColumn(join(dir, f), `rel_l1_${s}`); dropColumn(join(dir, f), `mean_abs_${s}`); }
    }
    const traces = readTraceDir(dir);
    const pairs = collectPairRows(traces);
    expect(() => checkPairValues(traces, pairs.rows, 'modulated', 'output')).not.toThrow();
    expect(pairsFor(pairs.rows, 'modulated', 'output').x).toHaveLength(20);
    expect(pairsFor(pairs.rows, 'noisy', 'output').x).toHaveLength(0);
  });

  test('a header-only CSV is refused', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').split('\n')[0] + '\n');
    expect(formatError(() => readTraceDir(dir))).toMatchObject({ file: csv, expected: 'at least one data row after the header' });
  });

  test('a CSV with fewer steps than its sidecar says is refused, naming both counts', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p1-s0.csv');
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
    writeFileSync(csv, lines.slice(0, -2).join('\n') + '\n');
    const e = formatError(() => readTraceDir(dir));
    expect(e.message).toMatch(/run-p1-s0\.csv, field "step": expected 6 steps in branch cond, as run-p1-s0\.json says \("steps": 6\), found "5"/);
  });

  test('a run copied under a second name is refused: its pairs would count twice', () => {
    const dir = freshDir();
    copyFileSync(join(dir, 'run-p0-s0.csv'), join(dir, 'z-copy.csv'));
    copyFileSync(join(dir, 'run-p0-s0.json'), join(dir, 'z-copy.json'));
    const e = formatError(() => readTraceDir(dir));
    expect(e).toMatchObject({ file: join(dir, 'z-copy.csv'), field: 'runId' });
    expect(e.message).toMatch(/run-p0-s0\.csv holds the same run/);
  });

  test('a prompt column that disagrees with the sidecar is refused', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace(/,a cat,/g, ',a cow,'));
    expect(formatError(() => readTraceDir(dir)).message).toMatch(/run-p0-s0\.csv, row 1, field "prompt": expected the prompt of run-p0-s0\.json, "a cat", found "a cow"/);
  });

  test('a hexadecimal number is not read as a number', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    editCell(csv, 5, 'rel_l1_modulated', '0x10');
    expect(formatError(() => readTraceDir(dir))).toMatchObject({ file: csv, row: 5, field: 'rel_l1_modulated' });
  });

  test('a 1e308 relative L1 is refused by the fit, naming file, row and column', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    editCell(csv, 5, 'rel_l1_modulated', '1e308');
    const traces = readTraceDir(dir);
    const e = formatError(() => checkPairValues(traces, collectPairRows(traces).rows, 'modulated', 'output'));
    expect(e).toMatchObject({ file: csv, row: 5, field: 'rel_l1_modulated' });
    expect(() => checkPairValues(traces, collectPairRows(traces).rows, 'timestep', 'output')).not.toThrow();
  });

  test('a NaN', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    editCell(csv, 5, 'rel_l1_modulated', 'NaN');
    expect(formatError(() => readTraceDir(dir))).toMatchObject({ file: csv, row: 5, field: 'rel_l1_modulated' });
  });

  test('steps out of order', () => {
    const dir = freshDir();
    const csv = join(dir, 'run-p0-s0.csv');
    editCell(csv, 5, 'step', '4');
    const e = formatError(() => readTraceDir(dir));
    expect(e.message).toMatch(/run-p0-s0\.csv, row 5, field "step": expected step 2/);
  });
});
