import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTraceCsv, readTraceMetadata, traceToCsv, TRACE_COLUMNS, type TraceRow } from './trace-format.js';

function row(step: number, branch: 'cond' | 'uncond' = 'cond'): TraceRow {
  const rel = step === 0 ? null : 0.01 * step;
  return {
    runId: 'r1', step, timestep: 999 - step * 20, branch, computed: 1,
    relL1: { noisy: rel, timestep: rel, modulated: rel, residual: rel, output: rel },
    meanAbs: { noisy: 1, timestep: 2, modulated: 3, residual: 4, output: 5 },
  };
}

const good = traceToCsv([row(0), row(0, 'uncond'), row(1), row(1, 'uncond'), row(2), row(2, 'uncond')]);
const lines = good.trimEnd().split('\n');
const col = (name: string) => TRACE_COLUMNS.indexOf(name);
function withCell(lineNo: number, column: string, value: string): string {
  const copy = [...lines];
  const cells = copy[lineNo].split(',');
  cells[col(column)] = value;
  copy[lineNo] = cells.join(',');
  return copy.join('\n') + '\n';
}

describe('trace CSV', () => {
  test('rows written and parsed back are the same rows', () => {
    const rows = parseTraceCsv(good, 't.csv');
    expect(rows).toEqual([row(0), row(0, 'uncond'), row(1), row(1, 'uncond'), row(2), row(2, 'uncond')]);
  });

  test('a missing column names the file and the column', () => {
    const text = good.replace('rel_l1_modulated,', '').split('\n').map((l, i) => (i === 0 ? l : l)).join('\n');
    expect(() => parseTraceCsv(text, 't.csv')).toThrow(/t\.csv.*field "rel_l1_modulated".*column "rel_l1_modulated" in the header/);
  });

  test('a non-numeric value names the file, row and column', () => {
    expect(() => parseTraceCsv(withCell(3, 'rel_l1_output', 'abc'), 't.csv')).toThrow(/t\.csv, row 3, field "rel_l1_output": expected a number, found "abc"/);
  });

  test('a NaN is refused, naming row and column', () => {
    expect(() => parseTraceCsv(withCell(4, 'mean_abs_noisy', 'NaN'), 't.csv')).toThrow(/row 4, field "mean_abs_noisy": expected a number, found "NaN"/);
  });

  test('an infinite value is refused', () => {
    expect(() => parseTraceCsv(withCell(4, 'rel_l1_noisy', 'Infinity'), 't.csv')).toThrow(/row 4, field "rel_l1_noisy": expected a finite number/);
  });

  test('a step out of order names the row and the step expected', () => {
    expect(() => parseTraceCsv(withCell(5, 'step', '3'), 't.csv')).toThrow(/row 5, field "step": expected step 2 .*found 3/);
  });

  test('a relative L1 at step 0 (there is no previous step) is refused', () => {
    expect(() => parseTraceCsv(withCell(1, 'rel_l1_output', '0.5'), 't.csv')).toThrow(/row 1, field "rel_l1_output": expected an empty cell at step 0/);
  });

  test('an unknown branch, a bad computed flag and a short row are refused', () => {
    expect(() => parseTraceCsv(withCell(2, 'branch', 'neg'), 't.csv')).toThrow(/row 2, field "branch": expected one of cond, uncond/);
    expect(() => parseTraceCsv(withCell(2, 'computed', '2'), 't.csv')).toThrow(/row 2, field "computed": expected 0 or 1/);
    expect(() => parseTraceCsv(lines.slice(0, 2).join('\n') + '\n' + lines[2].split(',').slice(0, 5).join(','), 't.csv')).toThrow(/row 2: expected 15 cells, found 5/);
  });

  test('an empty file is refused', () => {
    expect(() => parseTraceCsv('', 'e.csv')).toThrow(/e\.csv: expected a header line/);
  });
});

describe('trace metadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'teacache-meta-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meta = {
    format: 'teacache-trace', version: 1, runId: 'r1', model: 'm', family: 'stdit', weightsHash: 'ab', prompt: 'p', seed: 0,
    sampler: 'euler-rf', steps: 30, guidance: 4, backend: 'wasm', policy: 'none', toolkitVersion: '0.1.0',
    createdAt: '2026-01-01T00:00:00Z', wallSeconds: 1.5,
  };

  test('a valid sidecar reads back', () => {
    const f = join(dir, 'ok.json');
    writeFileSync(f, JSON.stringify(meta));
    expect(readTraceMetadata(f).runId).toBe('r1');
  });

  test.each([
    ['steps', 'thirty', /field "steps".*must be integer/],
    ['family', 'unet', /field "family"/],
    ['format', 'other', /field "format"/],
  ])('a bad %s is refused naming the field', (field, value, pattern) => {
    const f = join(dir, `${field}.json`);
    writeFileSync(f, JSON.stringify({ ...meta, [field]: value }));
    expect(() => readTraceMetadata(f)).toThrow(pattern);
  });

  test('a missing field and broken JSON are refused naming the file', () => {
    const f = join(dir, 'missing.json');
    const { seed: _seed, ...rest } = meta;
    writeFileSync(f, JSON.stringify(rest));
    expect(() => readTraceMetadata(f)).toThrow(/missing\.json, field "seed"/);
    const g = join(dir, 'broken.json');
    writeFileSync(g, '{"format":');
    expect(() => readTraceMetadata(g)).toThrow(/broken\.json: expected valid JSON/);
  });
});
