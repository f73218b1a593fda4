import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendSweepRow, formatSchedule, parseSweepRows, readSweepRows, scheduleBranches, sweepRowKey, sweepRowToJson,
  SWEEP_ROW_SCHEMA, type SweepRow,
} from './sweep-format.js';
import { FormatError } from './errors.js';
import { validateWithSchema } from './schema.js';

function row(overrides: Partial<SweepRow> = {}): SweepRow {
  return {
    format: 'teacache-sweep-row', version: 1, model: 'dit-tiny', policy: 'teacache',
    params: { threshold: 0.1, indicator: 'modulated' }, threshold: 0.1, prompt: 'a red fox', seed: 7, steps: 6,
    // CRRCRC: 3 computed of 6 → speedup 2
    computedSteps: 3, skippedSteps: 3, schedule: 'CRRCRC', wallSeconds: 1.5, referenceWallSeconds: 2.7,
    wallSpeedup: 1.8, stepSpeedup: 2, psnr: 31.2, ssim: 0.93, mse: 0.00076, backend: 'cpu',
    createdAt: '2025-01-01T00:00:00.000Z', ...overrides,
  };
}

const lines = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('parseSweepRows', () => {
  test('reads valid JSON Lines rows, skipping blank lines', () => {
    const text = lines(row(), row({ seed: 8 })).replace('\n', '\n\n');
    const rows = parseSweepRows(text, 'sweep.jsonl');
    expect(rows.map((r) => r.seed)).toEqual([7, 8]);
  });

  test('a last line without a newline is an interrupted append: skipped with a warning, not an error', () => {
    const warnings: string[] = [];
    const text = lines(row()) + JSON.stringify(row({ seed: 9 })).slice(0, 40);
    const rows = parseSweepRows(text, 'sweep.jsonl', { onWarning: (m) => warnings.push(m) });
    expect(rows).toHaveLength(1);
    expect(warnings).toEqual(['sweep.jsonl: row 2 has no newline (an interrupted append); skipped']);
  });

  test('a broken line that is not the last is an error naming file and row', () => {
    const text = lines(row()) + '{"format": "teacache-sweep-row", \n' + lines(row());
    expect(() => parseSweepRows(text, 'sweep.jsonl')).toThrow(FormatError);
    expect(() => parseSweepRows(text, 'sweep.jsonl')).toThrow(/^sweep.jsonl, row 2: expected a JSON object on one line/);
  });

  test('a row with a wrong field names the row and the field', () => {
    const text = lines(row(), { ...row(), seed: -1 });
    expect(() => parseSweepRows(text, 's.jsonl')).toThrow(/s.jsonl, row 2, field "seed": expected a value that must be >= 0, found -1/);
  });

  test('a row missing a field names it', () => {
    const { ssim: _drop, ...rest } = row();
    expect(() => parseSweepRows(lines(rest), 's.jsonl')).toThrow(/row 1, field "ssim"/);
  });

  test('a params value that is an object is refused', () => {
    expect(() => parseSweepRows(lines(row({ params: { nested: { a: 1 } as unknown as string } })), 's.jsonl'))
      .toThrow(/field "params.nested"/);
  });

  test('a schedule whose C count disagrees with computedSteps is refused', () => {
    expect(() => parseSweepRows(lines(row({ schedule: 'CCRCRC' })), 's.jsonl'))
      .toThrow(/row 1, field "computedSteps": expected 4 \(the C count of the schedule\), found 3/);
  });

  test('a schedule of the wrong length or with other letters is refused', () => {
    expect(() => parseSweepRows(lines(row({ schedule: 'CRRCR' })), 's.jsonl')).toThrow(/field "schedule": expected one letter per step \(6\)/);
    expect(() => parseSweepRows(lines(row({ schedule: 'CRRCXC' })), 's.jsonl')).toThrow(/field "schedule"/);
  });

  test('counts that do not add up to steps, and a wrong step speedup, are refused', () => {
    expect(() => parseSweepRows(lines(row({ skippedSteps: 2 })), 's.jsonl')).toThrow(/field "skippedSteps"/);
    expect(() => parseSweepRows(lines(row({ stepSpeedup: 2.5 })), 's.jsonl')).toThrow(/field "stepSpeedup": expected 2/);
  });

  test('two branches that disagree are stored as cond/uncond and counted as the mean of both', () => {
    // cond CRRCRC has 3 C, uncond CRCCRC has 4 C → 3.5 computed, 2.5 skipped, speedup 6/3.5
    const r = row({ schedule: 'CRRCRC/CRCCRC', computedSteps: 3.5, skippedSteps: 2.5, stepSpeedup: 6 / 3.5 });
    expect(parseSweepRows(lines(r), 's.jsonl')[0].computedSteps).toBe(3.5);
    expect(scheduleBranches(r.schedule)).toEqual(['CRRCRC', 'CRCCRC']);
  });

  test('a null psnr on disk is an infinite psnr in memory (identical outputs)', () => {
    const text = sweepRowToJson(row({ psnr: Infinity })) + '\n';
    expect(text).toContain('"psnr":null');
    expect(parseSweepRows(text, 's.jsonl')[0].psnr).toBe(Infinity);
  });
});

describe('rows scored from outputs made elsewhere', () => {
  test('a row with the 8-bit per-frame metrics and a source reads beside a sweep row, identical frames as Infinity', () => {
    const scored = { ...row(), source: 'score', psnrFrames8bit: null, ssimFrames8bit: 0.93 };
    const text = sweepRowToJson(row()) + '\n' + JSON.stringify(scored) + '\n';
    const [a, b] = parseSweepRows(text, 's.jsonl');
    expect(a.source).toBeUndefined();
    expect(b).toMatchObject({ source: 'score', psnrFrames8bit: Infinity, ssimFrames8bit: 0.93 });
    expect(JSON.parse(sweepRowToJson(b)).psnrFrames8bit).toBeNull();
  });

  test('an 8-bit SSIM outside [-1, 1] is refused naming the field', () => {
    expect(() => parseSweepRows(JSON.stringify({ ...row(), ssimFrames8bit: 2 }) + '\n', 's.jsonl')).toThrow(/s\.jsonl, row 1, field "ssimFrames8bit"/);
  });
});

describe('formatSchedule', () => {
  test('joins disagreeing branches and collapses agreeing ones', () => {
    expect(formatSchedule(['CRC', 'CRC'])).toBe('CRC');
    expect(formatSchedule(['CRC', 'CCC'])).toBe('CRC/CCC');
    expect(formatSchedule(['CRC'])).toBe('CRC');
    expect(() => formatSchedule([])).toThrow(RangeError);
  });
});

describe('SWEEP_ROW_SCHEMA', () => {
  test('accepts a valid stored row and refuses an unknown format', () => {
    expect(() => validateWithSchema(SWEEP_ROW_SCHEMA, JSON.parse(sweepRowToJson(row())), 'x')).not.toThrow();
    expect(() => validateWithSchema(SWEEP_ROW_SCHEMA, { ...row(), format: 'other' }, 'x')).toThrow(/field "format"/);
  });
});

describe('appendSweepRow and readSweepRows', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sweep-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  test('appended rows read back equal, one line each', () => {
    const path = join(dir, 'sub', 'sweep.jsonl');
    appendSweepRow(path, row());
    appendSweepRow(path, row({ seed: 8, psnr: Infinity }));
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(readSweepRows(path)).toEqual([row(), row({ seed: 8, psnr: Infinity })]);
  });

  test('an invalid row is refused before anything is written', () => {
    const path = join(dir, 'sweep.jsonl');
    expect(() => appendSweepRow(path, row({ ssim: NaN }))).toThrow(/field "ssim"/);
    expect(() => appendSweepRow(path, row({ psnr: NaN }))).toThrow(/field "psnr": expected a number or Infinity, found NaN/);
    expect(() => readSweepRows(path)).toThrow(/expected an existing sweep file/);
  });

  test('an interrupted append left in the file is cut off before the next row is appended', () => {
    const path = join(dir, 'sweep.jsonl');
    writeFileSync(path, sweepRowToJson(row()) + '\n' + '{"format":"teacache-sw');
    const warnings: string[] = [];
    appendSweepRow(path, row({ seed: 8 }), { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/removed 22 bytes of an interrupted append/);
    expect(readSweepRows(path).map((r) => r.seed)).toEqual([7, 8]);
  });
});

describe('sweepRowKey', () => {
  test('is the same whatever the order of params, and differs by seed, prompt, params or steps', () => {
    const a = row({ params: { threshold: 0.1, indicator: 'modulated' } });
    const b = row({ params: { indicator: 'modulated', threshold: 0.1 }, psnr: 12, wallSeconds: 9 });
    expect(sweepRowKey(a)).toBe(sweepRowKey(b));
    for (const other of [row({ seed: 8 }), row({ prompt: 'a cat' }), row({ params: { threshold: 0.2, indicator: 'modulated' } }),
      row({ steps: 7 }), row({ model: 'other' }), row({ policy: 'oracle' })]) {
      expect(sweepRowKey(other)).not.toBe(sweepRowKey(a));
    }
  });
});
