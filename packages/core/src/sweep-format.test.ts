import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendSweepRow, formatSchedule, parseSweepRows, readSweepRows, scheduleBranches, sweepRowKey, sweepRowToJson,
  SWEEP_ROW_SCHEMA, type SweepRow,
} from './sweep-format.js';
import { FormatError, FormatProblems, MAX_LISTED_PROBLEMS } from './errors.js';
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

describe('parseSweepRows lists every problem of a file at once', () => {
  const problemsOf = (text: string): FormatProblems => {
    try {
      parseSweepRows(text, 's.jsonl');
    } catch (err) {
      return err as FormatProblems;
    }
    throw new Error('expected the file to be refused');
  };

  test('a broken line, a row with two bad fields and a row whose counts disagree are reported together, each with its row and field', () => {
    const text = ['{not json', JSON.stringify({ ...row(), seed: -1, ssim: 'high' }), JSON.stringify(row({ computedSteps: 2, skippedSteps: 4 })),
      JSON.stringify(row())].join('\n') + '\n';
    const err = problemsOf(text);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.problems.map((p) => [p.row, p.field])).toEqual([[1, undefined], [2, 'seed'], [2, 'ssim'], [3, 'computedSteps'], [3, 'stepSpeedup']]);
    expect(err.truncated).toBe(false);
    expect(err.message).toMatch(/^s\.jsonl: 5 problems:\n/);
    expect(err.message).toContain('s.jsonl, row 2, field "seed": expected a whole number from 0 to 4294967295, found -1');
    expect(err.message).toContain('s.jsonl, row 3, field "computedSteps": expected 3 (the C count of the schedule), found 2');
  });

  test('a file with more problems than the cap lists the first ones and says it stopped looking', () => {
    const bad = JSON.stringify({ ...row(), seed: -1 });
    const err = problemsOf(Array.from({ length: MAX_LISTED_PROBLEMS + 5 }, () => bad).join('\n') + '\n');
    expect(err.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(err.problems.map((p) => p.row)).toEqual(Array.from({ length: MAX_LISTED_PROBLEMS }, (_, i) => i + 1));
    expect(err.truncated).toBe(true);
    expect(err.message).toMatch(/stopped looking after 20/);
  });

  test('exactly as many problems as the cap, with nothing left to read, is a complete list', () => {
    const bad = JSON.stringify({ ...row(), seed: -1 });
    const err = problemsOf(Array.from({ length: MAX_LISTED_PROBLEMS }, () => bad).join('\n') + '\n');
    expect(err.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(err.truncated).toBe(false);
  });
});

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
    expect(() => parseSweepRows(text, 's.jsonl')).toThrow(/s.jsonl, row 2, field "seed": expected a whole number from 0 to 4294967295, found -1/);
  });

  test('a row whose seed is past 2^32 - 1 (it would draw seed 0\'s noise) names the file, row, field and range', () => {
    const text = lines(row(), { ...row(), seed: 2 ** 32 });
    expect(() => parseSweepRows(text, 's.jsonl')).toThrow(/s.jsonl, row 2, field "seed": expected a whole number from 0 to 4294967295, found 4294967296/);
    expect(parseSweepRows(lines(row({ seed: 2 ** 32 - 1 })), 's.jsonl')[0].seed).toBe(2 ** 32 - 1);
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

describe('timing, FLOP and 8-bit fields', () => {
  const timed = (over: Partial<SweepRow> = {}) => row({
    repeats: 2, wallSecondsRepeats: [1.5, 1.5], referenceWallSecondsRepeats: [2.7, 2.7], wallSpeedupLow: 1.7, wallSpeedupHigh: 1.9,
    wallSpeedupConfidence: 0.95, wallSpeedupImpossible: false, cpuSeconds: 1.4, referenceCpuSeconds: 2.6, cpuSpeedup: 2.6 / 1.4,
    flops: 6e9, referenceFlops: 1.2e10, flopSpeedup: 2, psnrFrames8bit: 31.5, ssimFrames8bit: 0.94, ...over,
  });

  test('round-trip, with an infinite 8-bit PSNR stored as null', () => {
    const text = sweepRowToJson(timed({ psnrFrames8bit: Infinity })) + '\n';
    expect(text).toContain('"psnrFrames8bit":null');
    expect(parseSweepRows(text, 's.jsonl')[0]).toEqual(timed({ psnrFrames8bit: Infinity }));
  });

  test('rows written before the fields existed still read', () => {
    expect(parseSweepRows(lines(row()), 's.jsonl')[0].repeats).toBeUndefined();
  });

  test('refuses repeat times that do not match repeats, an interval that misses its estimate, and a wrong FLOP ratio', () => {
    expect(() => parseSweepRows(lines(timed({ wallSecondsRepeats: [1.5] })), 's.jsonl')).toThrow(/row 1, field "wallSecondsRepeats": expected 2 times/);
    expect(() => parseSweepRows(lines(timed({ wallSpeedupLow: 1.85 })), 's.jsonl')).toThrow(/field "wallSpeedupLow": expected an interval around wallSpeedup 1.8/);
    expect(() => parseSweepRows(lines(timed({ flopSpeedup: 2.5 })), 's.jsonl')).toThrow(/field "flopSpeedup": expected 2 \(referenceFlops \/ flops\)/);
    expect(() => parseSweepRows(lines(timed({ repeats: 0 })), 's.jsonl')).toThrow(/field "repeats"/);
    expect(() => parseSweepRows(lines(timed({ wallSecondsRepeats: [1.5, -1] })), 's.jsonl')).toThrow(/wallSecondsRepeats/);
  });

  test('a NaN 8-bit PSNR is refused on append', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-8bit-'));
    try {
      expect(() => appendSweepRow(join(dir, 's.jsonl'), timed({ psnrFrames8bit: NaN }))).toThrow(/field "psnrFrames8bit": expected a number or Infinity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
