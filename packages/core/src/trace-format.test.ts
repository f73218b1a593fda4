import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, FormatProblems } from './errors.js';
import { parseTraceCsv, parseTraceTable, readTraceCsv, readTraceMetadata, readTraceTable, traceToCsv, type TraceRow } from './trace-format.js';

function row(step: number, branch: 'cond' | 'uncond' = 'cond'): TraceRow {
  const rel = step === 0 ? null : 0.01 * step;
  return {
    runId: 'r1', step, timestep: 999 - step * 20, branch, computed: 1,
    relL1: { noisy: rel, timestep: rel, modulated: rel, residual: rel, output: rel },
    meanAbs: { noisy: 1, timestep: 2, modulated: 3, residual: 4, output: 5 },
  };
}

const rows = [row(0), row(0, 'uncond'), row(1), row(1, 'uncond'), row(2), row(2, 'uncond')];
const good = traceToCsv(rows);
const lines = good.trimEnd().split('\n');
const header = lines[0].split(',');
function withCell(lineNo: number, column: string, value: string, text = good): string {
  const copy = text.trimEnd().split('\n');
  const cells = copy[lineNo].split(',');
  cells[copy[0].split(',').indexOf(column)] = value;
  copy[lineNo] = cells.join(',');
  return copy.join('\n') + '\n';
}
function problemsOf(text: string): FormatError[] {
  try { parseTraceCsv(text, 't.csv'); } catch (e) {
    if (e instanceof FormatProblems) return [...e.problems];
    throw e;
  }
  throw new Error('no problem found');
}
/** Keep only the named columns of a CSV whose cells hold no commas. */
function onlyColumns(text: string, keep: (name: string) => boolean): string {
  const all = text.trimEnd().split('\n').map((l) => l.split(','));
  const idx = all[0].map((h, i) => (keep(h) ? i : -1)).filter((i) => i >= 0);
  return all.map((cells) => idx.map((i) => cells[i]).join(',')).join('\n') + '\n';
}

describe('trace CSV', () => {
  test('rows written and parsed back are the same rows', () => {
    expect(parseTraceCsv(good, 't.csv')).toEqual(rows);
  });

  test('prompt and seed columns carry the run, with commas, quotes and newlines in the prompt quoted', () => {
    const prompt = 'a "red" circle, then\na blue one';
    const text = traceToCsv(rows, { prompt, seed: 7 });
    expect(text.split('\n')[0]).toMatch(/^run_id,prompt,seed,step,/);
    const back = parseTraceTable(text, 't.csv');
    expect(back.hasPrompt && back.hasSeed).toBe(true);
    expect(back.rows.map((r) => [r.prompt, r.seed])).toEqual(rows.map(() => [prompt, 7]));
    expect(back.rows.map(({ prompt: _p, seed: _s, ...r }) => r)).toEqual(rows);
  });

  test('a trace of the previous release (no prompt or seed columns) still reads', () => {
    const dir = fileURLToPath(new URL('./fixtures/trace-v1-0.1.0', import.meta.url));
    const table = readTraceTable(join(dir, 'a-red-circle__seed3.csv'));
    expect(table.rows).toHaveLength(8);
    expect(table.hasPrompt).toBe(false);
    expect(table.relL1Signals).toEqual(['noisy', 'timestep', 'modulated', 'residual', 'output']);
    expect(table.rows[3]).toMatchObject({ step: 1, branch: 'uncond', relL1: { modulated: 0.015, output: 0.03 }, meanAbs: { modulated: 0.6 } });
    expect(readTraceMetadata(join(dir, 'a-red-circle__seed3.json')).family).toBe('dit');
  });

  test('a trace with only the indicator and output columns reads, the others null', () => {
    const text = onlyColumns(good, (h) => !/^(rel_l1|mean_abs)_/.test(h) || /_(modulated|output)$/.test(h));
    const table = parseTraceTable(text, 't.csv');
    expect(table.relL1Signals).toEqual(['modulated', 'output']);
    expect(table.rows[2].relL1).toEqual({ noisy: null, timestep: null, modulated: 0.01, residual: null, output: 0.01 });
    expect(table.rows[2].meanAbs.noisy).toBeNull();
    // written back, the absent columns stay absent
    expect(traceToCsv(table.rows).split('\n')[0]).toBe('run_id,step,timestep,branch,computed,rel_l1_modulated,rel_l1_output,mean_abs_modulated,mean_abs_output');
  });

  test('step 0 may hold nan; computed may be true/false; computed may be left out', () => {
    let text = withCell(1, 'rel_l1_output', 'nan');
    text = withCell(2, 'rel_l1_output', 'NaN', text);
    text = withCell(3, 'computed', 'true', text);
    text = withCell(4, 'computed', 'False', text);
    const parsed = parseTraceCsv(text, 't.csv');
    expect(parsed[0].relL1.output).toBeNull();
    expect(parsed.map((r) => r.computed)).toEqual([1, 1, 1, 0, 1, 1]);
    expect(parseTraceCsv(onlyColumns(good, (h) => h !== 'computed'), 't.csv').every((r) => r.computed === 1)).toBe(true);
  });

  test('a missing required column names the file and the column', () => {
    expect(() => parseTraceCsv(onlyColumns(good, (h) => h !== 'timestep'), 't.csv')).toThrow(/t\.csv, row 0, field "timestep": expected column "timestep" in the header/);
  });

  test('a file without any rel_l1 column names the columns it could have', () => {
    expect(() => parseTraceCsv(onlyColumns(good, (h) => !h.startsWith('rel_l1_')), 't.csv')).toThrow(/at least one of the columns rel_l1_noisy, rel_l1_timestep, rel_l1_modulated, rel_l1_residual, rel_l1_output/);
  });

  test('a non-numeric value names the file, row and column', () => {
    expect(() => parseTraceCsv(withCell(3, 'rel_l1_output', 'abc'), 't.csv')).toThrow(/t\.csv, row 3, field "rel_l1_output": expected a number in decimal notation, found "abc"/);
  });

  test('hexadecimal, binary and padded numbers are not read as numbers', () => {
    for (const text of ['0x10', '0b1', '1_000', 'Infinity', '1.5.2']) {
      expect(() => parseTraceCsv(withCell(3, 'timestep', text), 't.csv')).toThrow(/row 3, field "timestep": expected a number in decimal notation/);
    }
    expect(() => parseTraceCsv(withCell(3, 'step', '0x1'), 't.csv')).toThrow(/row 3, field "step": expected a whole number/);
  });

  test('a NaN after step 0 and an overflowing value are refused, naming row and column', () => {
    expect(() => parseTraceCsv(withCell(4, 'mean_abs_noisy', 'NaN'), 't.csv')).toThrow(/row 4, field "mean_abs_noisy": expected a number in decimal notation, found "NaN"/);
    expect(() => parseTraceCsv(withCell(4, 'rel_l1_noisy', 'nan'), 't.csv')).toThrow(/row 4, field "rel_l1_noisy"/);
    expect(() => parseTraceCsv(withCell(4, 'rel_l1_noisy', '1e999'), 't.csv')).toThrow(/row 4, field "rel_l1_noisy": expected a finite number, found "1e999"/);
  });

  test('a step out of order names the row and the step expected', () => {
    expect(() => parseTraceCsv(withCell(5, 'step', '3'), 't.csv')).toThrow(/row 5, field "step": expected step 2 .*found 3/);
  });

  test('a relative L1 at step 0 (there is no previous step) is refused', () => {
    expect(() => parseTraceCsv(withCell(1, 'rel_l1_output', '0.5'), 't.csv')).toThrow(/row 1, field "rel_l1_output": expected an empty cell or nan at step 0/);
  });

  test('an unknown branch, a bad computed flag and a short row are refused, naming the allowed values', () => {
    expect(() => parseTraceCsv(withCell(2, 'branch', 'neg'), 't.csv')).toThrow(/row 2, field "branch": expected one of cond, uncond, found "neg"/);
    expect(() => parseTraceCsv(withCell(2, 'computed', '2'), 't.csv')).toThrow(/row 2, field "computed": expected 0, 1, true or false/);
    expect(() => parseTraceCsv(lines.slice(0, 2).join('\n') + '\n' + lines[2].split(',').slice(0, 5).join(','), 't.csv')).toThrow(new RegExp(`row 2: expected ${header.length} cells, found 5`));
  });

  test('every problem of a file is reported at once', () => {
    let text = withCell(2, 'rel_l1_output', 'abc');
    text = withCell(4, 'computed', 'yes', text);
    text = withCell(6, 'branch', 'neg', text);
    const found = problemsOf(text);
    expect(found.map((p) => [p.row, p.field])).toEqual([[2, 'rel_l1_output'], [4, 'computed'], [6, 'branch']]);
    expect(() => parseTraceCsv(text, 't.csv')).toThrow(/^t\.csv: 3 problems:\n {2}t\.csv, row 2, field "rel_l1_output"/);
  });

  test('the list of problems stops at 20 and says so', () => {
    const many = traceToCsv(Array.from({ length: 50 }, (_, s) => ({ ...row(s), timestep: 1 }))).replace(/,1,cond,/g, ',x,cond,');
    let error: unknown;
    try { parseTraceCsv(many, 'm.csv'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(FormatProblems);
    expect((error as FormatProblems).problems).toHaveLength(20);
    expect((error as Error).message).toMatch(/m\.csv: 20 problems \(stopped looking after 20\)/);
  });

  test('an empty file and a header-only file are refused', () => {
    expect(() => parseTraceCsv('', 'e.csv')).toThrow(/e\.csv: expected a header line/);
    expect(() => parseTraceCsv(lines[0] + '\n', 'h.csv')).toThrow(/h\.csv: expected at least one data row after the header, found "a header only"/);
  });

  test('a non-finite value on write names the run, step, branch and column', () => {
    const broken = { ...row(2), relL1: { ...row(2).relL1, output: NaN } };
    expect(() => traceToCsv([row(0), row(1), broken])).toThrow(/trace value is not finite: NaN at run "r1", step 2, branch cond, column rel_l1_output/);
  });

  test('a seed column past 2^32 - 1 is refused naming the file, row, column and range (it would draw seed 0\'s noise)', () => {
    const text = withCell(2, 'seed', '4294967296', traceToCsv(rows, { prompt: 'p', seed: 0 }));
    expect(() => parseTraceCsv(text, 't.csv')).toThrow(/t\.csv, row 2, field "seed": expected a whole number from 0 to 4294967295 \(2\^32 - 1.*\), found "4294967296"/);
    expect(parseTraceCsv(withCell(2, 'seed', '4294967295', traceToCsv(rows, { prompt: 'p', seed: 4294967295 })), 't.csv')[1].seed).toBe(4294967295);
  });

  test('a seed outside 0..2^32 - 1 is refused on write', () => {
    expect(() => traceToCsv(rows, { prompt: 'p', seed: 2 ** 32 })).toThrow(/seed must be a whole number from 0 to 4294967295 .*, got 4294967296/);
    expect(() => traceToCsv(rows, { prompt: 'p', seed: -1 })).toThrow(RangeError);
  });

  test('readTraceCsv names a missing file', () => {
    expect(() => readTraceCsv('/nonexistent/x.csv')).toThrow(/x\.csv: expected an existing trace CSV file/);
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
  const write = (name: string, value: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(value));
    return f;
  };

  test('a valid sidecar reads back', () => {
    expect(readTraceMetadata(write('ok.json', meta)).runId).toBe('r1');
  });

  test('family, sampler and model are free names: a PyTorch model reads', () => {
    const f = write('torch.json', { ...meta, family: 'wan2.1', sampler: 'flow-unipc', model: 'Wan2.1-T2V-1.3B', source: 'teacache-pytorch', backend: 'pytorch-cuda' });
    expect(readTraceMetadata(f)).toMatchObject({ family: 'wan2.1', sampler: 'flow-unipc' });
  });

  test.each([
    ['steps', 'thirty', /field "steps".*must be integer/],
    ['family', '', /field "family"/],
    ['format', 'other', /field "format": expected "teacache-trace", found "other"/],
  ])('a bad %s is refused naming the field', (field, value, pattern) => {
    expect(() => readTraceMetadata(write(`${field}.json`, { ...meta, [field]: value }))).toThrow(pattern);
  });

  test('a seed past 2^32 - 1 is refused naming the file, the field and the range', () => {
    const f = write('seed.json', { ...meta, seed: 4294967296 });
    expect(() => readTraceMetadata(f)).toThrow(/seed\.json, field "seed": expected a whole number from 0 to 4294967295, found 4294967296/);
    expect(() => readTraceMetadata(write('half.json', { ...meta, seed: 0.5 }))).toThrow(/field "seed": expected a whole number from 0 to 4294967295, found 0\.5/);
    expect(readTraceMetadata(write('max.json', { ...meta, seed: 4294967295 })).seed).toBe(4294967295);
  });

  test('every problem of a sidecar is reported at once', () => {
    const f = write('many.json', { ...meta, steps: 'thirty', seed: -1, version: 2 });
    expect(() => readTraceMetadata(f)).toThrow(/many\.json: 3 problems:/);
    expect(() => readTraceMetadata(f)).toThrow(/field "version": expected 1, found 2/);
    expect(() => readTraceMetadata(f)).toThrow(/field "seed"/);
  });

  test('a missing field and broken JSON are refused naming the file', () => {
    const { seed: _seed, ...rest } = meta;
    expect(() => readTraceMetadata(write('missing.json', rest))).toThrow(/missing\.json, field "seed"/);
    const g = join(dir, 'broken.json');
    writeFileSync(g, '{"format":');
    expect(() => readTraceMetadata(g)).toThrow(/broken\.json: expected valid JSON/);
    expect(readFileSync(g, 'utf8')).toBe('{"format":');
  });
});
